using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The fmtp parameters of Opus (RFC 7587 §6.1), typed. Each side's parameters describe what <em>it</em> wants to
/// receive (<c>maxplaybackrate</c>, <c>stereo</c>, <c>maxaveragebitrate</c>, <c>cbr</c>, <c>useinbandfec</c>,
/// <c>usedtx</c>) or what it is likely to send (<c>sprop-*</c>): an encoder follows the <em>peer's</em> parameters,
/// so there is no answer rule (the answer states its own). A value outside the RFC's range is ignored (read as absent),
/// as §6.1 asks of a receiver. <see cref="Parse"/> then <see cref="ToFmtp"/> keeps every known value; unknown keys are dropped.
/// </summary>
public sealed record OpusFmtp
{
    /// <summary>Opus always uses a 48 kHz RTP clock and says <c>/2</c> channels in its rtpmap (RFC 7587 §7).</summary>
    public const int ClockRate = 48000;

    /// <summary>Largest audio rate (8000–48000 Hz) the receiver will play; the encoder may limit its bandwidth to it.</summary>
    public int? MaxPlaybackRate { get; init; }

    /// <summary>Largest audio rate (8000–48000 Hz) the sender captures.</summary>
    public int? SpropMaxCaptureRate { get; init; }

    /// <summary>Largest average bitrate (6000–510000 bit/s) the receiver wants.</summary>
    public int? MaxAverageBitrate { get; init; }

    /// <summary>The receiver prefers stereo (<c>stereo=1</c>); absent means mono.</summary>
    public bool? Stereo { get; init; }

    /// <summary>The sender is likely to send stereo (<c>sprop-stereo=1</c>); absent means mono.</summary>
    public bool? SpropStereo { get; init; }

    /// <summary>The receiver wants constant bitrate (<c>cbr=1</c>); absent means variable.</summary>
    public bool? Cbr { get; init; }

    /// <summary>The receiver can use in-band FEC (<c>useinbandfec=1</c>); absent means no.</summary>
    public bool? UseInbandFec { get; init; }

    /// <summary>The receiver prefers DTX (<c>usedtx=1</c>); absent means no.</summary>
    public bool? UseDtx { get; init; }

    /// <summary>Preferred packet time in ms (an fmtp <c>ptime</c>; SDP usually says <c>a=ptime</c> instead).</summary>
    public int? Ptime { get; init; }

    /// <summary>Smallest packet time in ms the receiver wants.</summary>
    public int? MinPtime { get; init; }

    /// <summary>Largest packet time in ms the receiver wants.</summary>
    public int? MaxPtime { get; init; }

    /// <summary>The playback rate an encoder should aim at for this receiver (absent: 48000).</summary>
    public int EffectiveMaxPlaybackRate => MaxPlaybackRate ?? ClockRate;

    /// <summary>Channels an encoder should send to this receiver: 2 with <c>stereo=1</c>, else 1.</summary>
    public int ReceiveChannels => Stereo == true ? 2 : 1;

    /// <summary>Reads the typed values of <paramref name="fmtp"/>; malformed or out-of-range values read as absent.</summary>
    public static OpusFmtp Parse(FmtpParameters fmtp)
    {
        ArgumentNullException.ThrowIfNull(fmtp);
        return new OpusFmtp
        {
            MaxPlaybackRate = Range(fmtp.GetInt32("maxplaybackrate"), 8000, 48000),
            SpropMaxCaptureRate = Range(fmtp.GetInt32("sprop-maxcapturerate"), 8000, 48000),
            MaxAverageBitrate = Range(fmtp.GetInt32("maxaveragebitrate"), 6000, 510000),
            Stereo = Flag(fmtp, "stereo"),
            SpropStereo = Flag(fmtp, "sprop-stereo"),
            Cbr = Flag(fmtp, "cbr"),
            UseInbandFec = Flag(fmtp, "useinbandfec"),
            UseDtx = Flag(fmtp, "usedtx"),
            Ptime = Range(fmtp.GetInt32("ptime"), 3, 120),
            MinPtime = Range(fmtp.GetInt32("minptime"), 3, 120),
            MaxPtime = Range(fmtp.GetInt32("maxptime"), 3, 120),
        };
    }

    /// <summary>Reads the typed values of an fmtp text.</summary>
    public static OpusFmtp Parse(string? fmtp) => Parse(FmtpParameters.Parse(fmtp));

    /// <summary>The fmtp parameters for the values that are set, in RFC 7587 order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside the range RFC 7587 allows.</exception>
    public FmtpParameters ToFmtp()
    {
        Check(MaxPlaybackRate, 8000, 48000, nameof(MaxPlaybackRate));
        Check(SpropMaxCaptureRate, 8000, 48000, nameof(SpropMaxCaptureRate));
        Check(MaxAverageBitrate, 6000, 510000, nameof(MaxAverageBitrate));
        Check(Ptime, 3, 120, nameof(Ptime));
        Check(MinPtime, 3, 120, nameof(MinPtime));
        Check(MaxPtime, 3, 120, nameof(MaxPtime));
        var p = FmtpParameters.Empty;
        if (MaxPlaybackRate is int a) p = p.With("maxplaybackrate", a);
        if (SpropMaxCaptureRate is int b) p = p.With("sprop-maxcapturerate", b);
        if (MaxAverageBitrate is int c) p = p.With("maxaveragebitrate", c);
        if (Stereo is bool s) p = p.With("stereo", s ? "1" : "0");
        if (SpropStereo is bool ss) p = p.With("sprop-stereo", ss ? "1" : "0");
        if (Cbr is bool cbr) p = p.With("cbr", cbr ? "1" : "0");
        if (UseInbandFec is bool fec) p = p.With("useinbandfec", fec ? "1" : "0");
        if (UseDtx is bool dtx) p = p.With("usedtx", dtx ? "1" : "0");
        if (Ptime is int pt) p = p.With("ptime", pt);
        if (MinPtime is int min) p = p.With("minptime", min);
        if (MaxPtime is int max) p = p.With("maxptime", max);
        return p;
    }

    /// <summary>
    /// Encoder settings for sending to a receiver that stated these parameters (RFC 7587 §3.1.1, §6.1):
    /// <list type="bullet">
    /// <item>input rate: the smallest Opus rate (8, 12, 16, 24, 48 kHz) covering <c>maxplaybackrate</c> (absent: 48 kHz);</item>
    /// <item>bitrate: <paramref name="bitrate"/> capped at <c>maxaveragebitrate</c>;</item>
    /// <item>in-band FEC when the receiver says <c>useinbandfec=1</c> (with 10% expected loss, which FEC needs to be used);</item>
    /// <item>DTX when it says <c>usedtx=1</c>;</item>
    /// <item>mono: <c>stereo=1</c> is a preference, and a call's audio is mono (a stereo stream of a mono source carries nothing more);</item>
    /// <item>frame length: the packet time when Opus has such a frame (10, 20, 40, 60 ms), else 20 ms.</item>
    /// </list>
    /// <c>cbr</c> is not mapped (the encoder runs VBR).
    /// </summary>
    /// <param name="packetTime">The negotiated ptime.</param>
    /// <param name="bitrate">Target bitrate before the receiver's cap (default 32 kbit/s).</param>
    public OpusEncoderOptions ToEncoderOptions(TimeSpan? packetTime = null, int bitrate = 32000)
    {
        int playback = EffectiveMaxPlaybackRate;
        int rate = playback <= 8000 ? 8000 : playback <= 12000 ? 12000 : playback <= 16000 ? 16000 : playback <= 24000 ? 24000 : 48000;
        var frame = packetTime is TimeSpan p && OpusEncoderOptions.IsFrameDuration(p) && p >= TimeSpan.FromMilliseconds(10) ? p : TimeSpan.FromMilliseconds(20);
        bool fec = UseInbandFec == true;
        return new OpusEncoderOptions
        {
            SampleRate = new SampleRate(rate),
            Channels = 1,
            Bitrate = MaxAverageBitrate is int max ? Math.Min(bitrate, max) : bitrate,
            UseInbandFec = fec,
            PacketLossPercent = fec ? 10 : 0,
            UseDtx = UseDtx == true,
            FrameDuration = frame,
        };
    }

    /// <summary>The fmtp text (<see cref="ToFmtp"/>).</summary>
    public override string ToString() => ToFmtp().ToString();

    private static int? Range(int? v, int min, int max) => v is int x && x >= min && x <= max ? x : null;

    private static bool? Flag(FmtpParameters fmtp, string key) =>
        fmtp.TryGetValue(key, out var v) ? v switch { "1" => true, "0" => false, _ => null } : null;

    private static void Check(int? v, int min, int max, string name)
    {
        if (v is int x && (x < min || x > max))
        {
            throw new ArgumentOutOfRangeException(name, x, $"Opus {name} must be {min} to {max} (RFC 7587).");
        }
    }
}
