using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>Audio decoded from an Ogg Opus file by <see cref="OggOpusFile.Read"/>.</summary>
/// <param name="Samples">Interleaved PCM16, pre-skip and end padding removed.</param>
/// <param name="SampleRate">The rate it was decoded at.</param>
/// <param name="Channels">Channels (from OpusHead).</param>
/// <param name="InputSampleRate">The original rate stated in OpusHead (0 when unspecified).</param>
public sealed record OggOpusAudio(short[] Samples, SampleRate SampleRate, int Channels, int InputSampleRate)
{
    /// <summary>Samples per channel.</summary>
    public int Length => Samples.Length / Channels;

    public TimeSpan Duration => SampleRate.DurationOf(Length);
}
