using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>What the SDP side needs to know about a codec: its rtpmap name, static payload type,
/// clocks and default packet time.</summary>
/// <param name="Name">Encoding name as in rtpmap (compared case-insensitively), e.g. <c>PCMU</c>.</param>
/// <param name="StaticPayloadType">The static payload type of RFC 3551 (0 for PCMU), or null for a dynamic one.</param>
/// <param name="RtpClockRate">The RTP timestamp clock (the rtpmap rate).</param>
/// <param name="SampleRate">The PCM sample rate of the audio (differs from the RTP clock for G.722).</param>
/// <param name="Channels">Audio channels.</param>
/// <param name="DefaultPtime">Packet duration used when the SDP gives no ptime.</param>
public sealed record CodecInfo(
    string Name,
    int? StaticPayloadType,
    RtpClockRate RtpClockRate,
    SampleRate SampleRate,
    int Channels,
    TimeSpan DefaultPtime)
{
    public override string ToString() =>
        StaticPayloadType is int pt
            ? $"{Name}/{RtpClockRate.Hertz}{(Channels > 1 ? "/" + Channels : "")} (PT {pt})"
            : $"{Name}/{RtpClockRate.Hertz}{(Channels > 1 ? "/" + Channels : "")}";
}
