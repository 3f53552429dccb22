using Pipeline.Core.Media;

namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The SDP descriptions of the codecs this SDK knows (RFC 3551, RFC 7587, RFC 4856, RFC 3952), written down once.
/// Register one with its factories: <c>registry.Register(StandardCodecs.Opus, format =&gt; …, format =&gt; …)</c>.
/// </summary>
public static class StandardCodecs
{
    private static readonly TimeSpan Ms20 = TimeSpan.FromMilliseconds(20);

    /// <summary>G.711 µ-law: PT 0, 8 kHz, 20 ms.</summary>
    public static CodecInfo Pcmu { get; } = new("PCMU", 0, new RtpClockRate(8000), SampleRate.Hz8000, 1, Ms20);

    /// <summary>G.711 A-law: PT 8, 8 kHz, 20 ms.</summary>
    public static CodecInfo Pcma { get; } = new("PCMA", 8, new RtpClockRate(8000), SampleRate.Hz8000, 1, Ms20);

    /// <summary>G.722: PT 9, 16 kHz audio on an 8000 Hz RTP clock (RFC 3551 §4.5.2), 20 ms.</summary>
    public static CodecInfo G722 { get; } = new("G722", 9, new RtpClockRate(8000), SampleRate.Hz16000, 1, Ms20);

    /// <summary>
    /// Opus (RFC 7587): dynamic PT, rtpmap <c>opus/48000/2</c> whatever the audio is; mono 48 kHz audio by default (an
    /// encoder may run mono or stereo at 8–48 kHz), 20 ms, offering <c>useinbandfec=1</c> (we can use the peer's FEC).
    /// </summary>
    public static CodecInfo Opus { get; } = new("opus", null, new RtpClockRate(OpusFmtp.ClockRate), SampleRate.Hz48000, 1, Ms20)
    {
        RtpMapChannels = 2,
        DefaultFmtp = new OpusFmtp { UseInbandFec = true }.ToFmtp(),
    };

    /// <summary>G.729: PT 18, 8 kHz, 10 ms frames, 20 ms packets; offers Annex B (no fmtp: absent means yes); the answer
    /// decides Annex B for both sides. <c>this with { DefaultFmtp = new G729Fmtp(false).ToFmtp() }</c> offers <c>annexb=no</c>.</summary>
    public static CodecInfo G729 { get; } = new("G729", 18, new RtpClockRate(8000), SampleRate.Hz8000, 1, Ms20)
    {
        AnswerFmtp = G729Fmtp.AnswerRule,
        FrameDuration = static _ => TimeSpan.FromMilliseconds(10),
    };

    /// <summary>iLBC (RFC 3952): dynamic PT, 8 kHz, <c>mode=30</c> offered; the answer decides the mode (30 if either
    /// says 30) and the packet time is a multiple of it.</summary>
    public static CodecInfo Ilbc { get; } = new("iLBC", null, new RtpClockRate(8000), SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(30))
    {
        DefaultFmtp = new IlbcFmtp(30).ToFmtp(),
        AnswerFmtp = IlbcFmtp.AnswerRule,
        FrameDuration = static f => IlbcFmtp.Parse(f).FrameDuration,
    };
}
