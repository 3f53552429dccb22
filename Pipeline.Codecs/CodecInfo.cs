using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>What the SDP side needs to know about a codec: its rtpmap name, static payload type,
/// clocks, default fmtp and default packet time. The registry is the one place this is written down.</summary>
/// <param name="Name">Encoding name as in rtpmap (compared case-insensitively), e.g. <c>PCMU</c>.</param>
/// <param name="StaticPayloadType">The static payload type of RFC 3551 (0 for PCMU), or null for a dynamic one (96–127, allocated per offer).</param>
/// <param name="RtpClockRate">The RTP timestamp clock (the rtpmap rate).</param>
/// <param name="SampleRate">The PCM sample rate of the audio by default (differs from the RTP clock for G.722; an Opus
/// encoder may run at another rate, which its instance reports).</param>
/// <param name="Channels">Audio channels of the PCM by default.</param>
/// <param name="DefaultPtime">Packet duration used when the SDP gives no ptime.</param>
public sealed record CodecInfo(
    string Name,
    int? StaticPayloadType,
    RtpClockRate RtpClockRate,
    SampleRate SampleRate,
    int Channels,
    TimeSpan DefaultPtime)
{
    private readonly int? _rtpMapChannels;

    /// <summary>The channel count the rtpmap states (<c>opus/48000/2</c>: 2 even for mono audio). Default: <see cref="Channels"/>.</summary>
    public int RtpMapChannels
    {
        get => _rtpMapChannels ?? Channels;
        init => _rtpMapChannels = value;
    }

    /// <summary>The a=fmtp we offer (and answer with, unless <see cref="AnswerFmtp"/> says otherwise). Empty: no fmtp line.</summary>
    public FmtpParameters DefaultFmtp { get; init; } = FmtpParameters.Empty;

    /// <summary>
    /// For codecs whose answer settles one value for both directions (G.729 <c>annexb</c>, iLBC <c>mode</c>): computes the
    /// answer's fmtp from the offered one and <see cref="DefaultFmtp"/>; both ends then follow the answer. Null: the answer
    /// states our own <see cref="DefaultFmtp"/> and each encoder follows the peer's fmtp (Opus, RFC 7587).
    /// </summary>
    public Func<FmtpParameters, FmtpParameters, FmtpParameters>? AnswerFmtp { get; init; }

    /// <summary>
    /// For codecs that work in fixed frames whose length the fmtp may set (iLBC <c>mode</c>, G.729's 10 ms): the frame
    /// length under the given fmtp. The negotiated packet time is rounded up to a whole number of frames. Null: any ptime.
    /// </summary>
    public Func<FmtpParameters, TimeSpan>? FrameDuration { get; init; }

    /// <summary>The rtpmap value: <c>name/clock</c> or <c>name/clock/channels</c>.</summary>
    public string RtpMap => RtpMapChannels > 1 ? $"{Name}/{RtpClockRate.Hertz}/{RtpMapChannels}" : $"{Name}/{RtpClockRate.Hertz}";

    public override string ToString() =>
        StaticPayloadType is int pt ? $"{RtpMap} (PT {pt})" : RtpMap;
}
