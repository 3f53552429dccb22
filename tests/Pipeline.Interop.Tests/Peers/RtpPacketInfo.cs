using System.Net;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>One RTP packet as an <see cref="RtpSink"/> received it (header fields parsed, payload copied).</summary>
internal sealed record RtpPacketInfo(
    DateTime ArrivalUtc,
    IPEndPoint From,
    int PayloadType,
    bool Marker,
    ushort Sequence,
    uint Timestamp,
    uint Ssrc,
    byte[] Payload);
