using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>The format of a 16-bit PCM WAV file: its sample rate and channel count.</summary>
public readonly record struct WavFormat(SampleRate SampleRate, int Channels)
{
    /// <summary>Bytes per sample frame (all channels).</summary>
    public int BlockAlign => Channels * 2;

    public override string ToString() => $"16-bit PCM, {SampleRate.Hertz} Hz, {(Channels == 1 ? "mono" : Channels == 2 ? "stereo" : Channels + " channels")}";
}
