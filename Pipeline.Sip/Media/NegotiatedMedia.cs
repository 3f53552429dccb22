using System.Net;

namespace Pipeline.Sip.Media;

/// <summary>
/// The outcome of one SDP offer/answer exchange for the audio stream, as the media side needs it.
/// </summary>
/// <param name="Codec">What we send: the first codec of the answer.</param>
/// <param name="Codecs">Every codec agreed, in answer order: payload types we may receive.</param>
/// <param name="TelephoneEventPayloadType">RFC 4733 telephone-event payload type, if agreed.</param>
/// <param name="RemoteRtp">Where to send RTP. Address 0.0.0.0 (RFC 2543 hold) means: do not send.</param>
/// <param name="RemoteRtcp">Where to send RTCP (RTP port + 1 unless a=rtcp said otherwise).</param>
/// <param name="Direction">Our direction: SendOnly means we send and do not receive.</param>
/// <param name="PacketTime">Packetisation interval (a=ptime, default 20 ms).</param>
public sealed record NegotiatedMedia(
    NegotiatedCodec Codec,
    IReadOnlyList<NegotiatedCodec> Codecs,
    int? TelephoneEventPayloadType,
    IPEndPoint RemoteRtp,
    IPEndPoint? RemoteRtcp,
    MediaDirection Direction,
    TimeSpan PacketTime)
{
    /// <summary>True when we may send: the direction allows it and the address is not 0.0.0.0.</summary>
    public bool CanSend => Direction is MediaDirection.SendRecv or MediaDirection.SendOnly && !RemoteRtp.Address.Equals(IPAddress.Any);

    /// <summary>True when we should accept and play what arrives.</summary>
    public bool CanReceive => Direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;
}
