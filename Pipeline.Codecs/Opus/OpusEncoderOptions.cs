using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// How an Opus encoder is set up. <see cref="Validate"/> (called by <see cref="OpusCodec.CreateEncoder"/>) throws
/// an exception that names the bad value. <see cref="Bitrate"/>, <see cref="Complexity"/>, <see cref="UseInbandFec"/>,
/// <see cref="UseDtx"/> and <see cref="PacketLossPercent"/> can also be changed on a running <see cref="OpusEncoder"/>.
/// </summary>
public sealed record OpusEncoderOptions
{
    /// <summary>Rate of the PCM input: 8, 12, 16, 24 or 48 kHz (default 48 kHz). The RTP clock is 48 kHz whatever this is (RFC 7587).</summary>
    public SampleRate SampleRate { get; init; } = SampleRate.Hz48000;

    /// <summary>1 (mono, default) or 2 (stereo, interleaved).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Target bit rate in bit/s, 500 to 512,000 (default 32,000).</summary>
    public int Bitrate { get; init; } = 32000;

    /// <summary>Computational complexity 0 (cheapest) to 10 (best quality); default 9.</summary>
    public int Complexity { get; init; } = 9;

    /// <summary>In-band forward error correction (SILK's LBRR): each packet carries a coarse copy of the previous
    /// frame that a receiver can decode with <see cref="OpusDecoder.DecodeFec"/> when that frame was lost.
    /// Only used when <see cref="PacketLossPercent"/> is above zero and the encoder is in a SILK or hybrid mode.</summary>
    public bool UseInbandFec { get; init; }

    /// <summary>Discontinuous transmission: during silence the encoder sends tiny packets (one or two bytes) and fewer of them.</summary>
    public bool UseDtx { get; init; }

    /// <summary>Expected packet loss, 0 to 100 percent (default 0): makes the encoder more robust and sizes the FEC.</summary>
    public int PacketLossPercent { get; init; }

    /// <summary>What the encoder tunes itself for (default <see cref="OpusApplication.Voip"/>).</summary>
    public OpusApplication Application { get; init; } = OpusApplication.Voip;

    /// <summary>The frame length the encoder is normally fed: 2.5, 5, 10, 20 (default), 40 or 60 ms.
    /// <see cref="OpusEncoder.FrameSamples"/> is this in samples; <see cref="OpusEncoder.Encode"/> accepts any of these lengths.</summary>
    public TimeSpan FrameDuration { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        ValidateSampleRate(SampleRate, nameof(SampleRate));
        ValidateChannels(Channels, nameof(Channels));
        ValidateBitrate(Bitrate, nameof(Bitrate));
        ValidateComplexity(Complexity, nameof(Complexity));
        ValidatePacketLoss(PacketLossPercent, nameof(PacketLossPercent));
        if (!Enum.IsDefined(Application))
        {
            throw new ArgumentOutOfRangeException(nameof(Application), Application, $"Opus application {(int)Application} is not one of Voip, Audio, LowDelay.");
        }

        if (!IsFrameDuration(FrameDuration))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameDuration), FrameDuration, $"Opus frame duration {FrameDuration.TotalMilliseconds} ms is not one of 2.5, 5, 10, 20, 40, 60 ms.");
        }
    }

    internal static void ValidateSampleRate(SampleRate rate, string name)
    {
        if (rate.Hertz is not (8000 or 12000 or 16000 or 24000 or 48000))
        {
            throw new ArgumentOutOfRangeException(name, rate.Hertz, $"Opus sample rate {rate.Hertz} Hz is not one of 8000, 12000, 16000, 24000, 48000 Hz.");
        }
    }

    internal static void ValidateChannels(int channels, string name)
    {
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(name, channels, $"Opus channels {channels} is not 1 (mono) or 2 (stereo).");
        }
    }

    internal static void ValidateBitrate(int bitrate, string name)
    {
        if (bitrate is < 500 or > 512000)
        {
            throw new ArgumentOutOfRangeException(name, bitrate, $"Opus bitrate {bitrate} bit/s is outside 500 to 512000 bit/s.");
        }
    }

    internal static void ValidateComplexity(int complexity, string name)
    {
        if (complexity is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(name, complexity, $"Opus complexity {complexity} is outside 0 to 10.");
        }
    }

    internal static void ValidatePacketLoss(int percent, string name)
    {
        if (percent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(name, percent, $"Opus packet loss {percent}% is outside 0 to 100%.");
        }
    }

    internal static bool IsFrameDuration(TimeSpan d) =>
        d.Ticks is 25_000 or 50_000 or 100_000 or 200_000 or 400_000 or 600_000;
}
