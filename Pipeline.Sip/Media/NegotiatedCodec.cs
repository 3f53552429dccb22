using Pipeline.Codecs;
using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Sip.Media;

/// <summary>One codec both sides agreed on: the encoding name and RTP clock rate of its rtpmap, and the payload type on the wire.</summary>
/// <param name="Name">Encoding name as in the rtpmap, e.g. PCMU (spelled as our codec registry spells it).</param>
/// <param name="PayloadType">RTP payload type (0–127): the offerer's number, used in both directions.</param>
/// <param name="ClockRate">RTP clock rate in Hz (8000 for G.722, 48000 for Opus).</param>
/// <param name="Channels">Channels of the rtpmap (Opus says 2 whatever the audio is).</param>
/// <param name="Fmtp">The parameters that govern what we send: the peer's a=fmtp, or, for codecs whose answer settles
/// one value for both directions (G.729 annexb, iLBC mode), the agreed value. Null when there is none.</param>
public sealed record NegotiatedCodec(string Name, int PayloadType, int ClockRate, int Channels = 1, string? Fmtp = null)
{
    /// <summary>The a=fmtp we wrote for this codec in our own SDP, or null.</summary>
    public string? LocalFmtp { get; init; }

    /// <summary>True for RFC 4733 telephone-event (not an audio codec).</summary>
    public bool IsTelephoneEvent => string.Equals(Name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The format handed to the codec registry's factories: fmtp of both sides parsed, ptime, channels, payload type.</summary>
    public CodecFormat ToCodecFormat(TimeSpan? packetTime = null) => new(Name, new RtpClockRate(ClockRate), Channels)
    {
        PayloadType = PayloadType,
        Parameters = FmtpParameters.Parse(Fmtp),
        LocalParameters = FmtpParameters.Parse(LocalFmtp),
        Ptime = packetTime,
    };
}
