using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// Turns one codec payload back into PCM16 audio, and makes up audio for a lost frame.
/// An instance belongs to one stream and is used from one thread at a time. Nothing here allocates.
/// </summary>
public interface IAudioDecoder
{
    /// <summary>The encoding name as SDP's rtpmap spells it (RFC 3551), e.g. <c>PCMU</c>.</summary>
    string Name { get; }

    /// <summary>The rate of the PCM audio this decoder produces.</summary>
    SampleRate SampleRate { get; }

    /// <summary>The RTP timestamp clock of the payload, which may differ from <see cref="SampleRate"/> (G.722).</summary>
    RtpClockRate RtpClockRate { get; }

    /// <summary>Interleaved channels of the PCM output.</summary>
    int Channels { get; }

    /// <summary>How many samples per channel <paramref name="payload"/> decodes to.</summary>
    int GetSampleCount(ReadOnlySpan<byte> payload);

    /// <summary>Decodes <paramref name="payload"/> into <paramref name="pcm"/> (interleaved).</summary>
    /// <returns>Samples per channel written.</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is too small for the payload.</exception>
    int Decode(ReadOnlySpan<byte> payload, Span<short> pcm);

    /// <summary>Fills all of <paramref name="pcm"/> with audio standing in for a lost frame
    /// (packet loss concealment). Each codec documents what it produces.</summary>
    void Conceal(Span<short> pcm);
}
