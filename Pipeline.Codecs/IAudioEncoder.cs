using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// Turns PCM16 audio into one codec payload. An instance belongs to one stream (it may keep state
/// between frames) and is used from one thread at a time. <see cref="Encode"/> allocates nothing.
/// </summary>
public interface IAudioEncoder
{
    /// <summary>The encoding name as SDP's rtpmap spells it (RFC 3551), e.g. <c>PCMU</c>.</summary>
    string Name { get; }

    /// <summary>The rate of the PCM audio this encoder takes.</summary>
    SampleRate SampleRate { get; }

    /// <summary>The RTP timestamp clock of the payload, which may differ from <see cref="SampleRate"/> (G.722).</summary>
    RtpClockRate RtpClockRate { get; }

    /// <summary>Interleaved channels of the PCM input.</summary>
    int Channels { get; }

    /// <summary>The largest payload <see cref="Encode"/> may produce for <paramref name="samplesPerChannel"/> samples.</summary>
    int GetMaxEncodedLength(int samplesPerChannel);

    /// <summary>Encodes one frame of interleaved PCM16 into <paramref name="payload"/>.</summary>
    /// <returns>The number of payload bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is too small, or <paramref name="pcm"/> is not a whole number of frames for this codec.</exception>
    int Encode(ReadOnlySpan<short> pcm, Span<byte> payload);
}
