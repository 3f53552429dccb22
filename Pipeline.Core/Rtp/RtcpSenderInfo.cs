namespace Pipeline.Core.Rtp;

/// <summary>The sender-information block of an RTCP sender report (RFC 3550 §6.4.1).</summary>
/// <param name="NtpTimestamp">Wall-clock time when the report was sent.</param>
/// <param name="RtpTimestamp">The same instant in the sender's RTP timestamp units.</param>
/// <param name="PacketCount">RTP data packets sent since starting (this SSRC).</param>
/// <param name="OctetCount">Payload octets sent since starting (headers and padding excluded).</param>
public readonly record struct RtcpSenderInfo(NtpTimestamp NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    public const int Size = 20;
}
