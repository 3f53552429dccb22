namespace Pipeline.Core.Rtp;

/// <summary>
/// A snapshot of one RTP session's counters (RFC 3550 §6.4 and Appendix A). Receive-side figures are about the
/// current remote source; "Remote…" figures are what the remote side last reported about us in its RTCP.
/// </summary>
public sealed record RtpStatistics
{
    public uint LocalSsrc { get; init; }

    /// <summary>SSRC of the source we receive from, when there is one.</summary>
    public uint? RemoteSsrc { get; init; }

    /// <summary>The RTP clock rate used for the time conversions below, in hertz.</summary>
    public int ClockRate { get; init; }

    public long PacketsSent { get; init; }

    /// <summary>Payload octets sent (RTP headers excluded, as in the SR's octet count).</summary>
    public long OctetsSent { get; init; }

    /// <summary>RTP packets received and accepted (all sources).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>Payload octets received (all sources).</summary>
    public long OctetsReceived { get; init; }

    /// <summary>Datagrams on the RTP or RTCP port that were not valid RTP/RTCP.</summary>
    public long MalformedPackets { get; init; }

    /// <summary>A.3: highest sequence number received, extended with the wrap count (cycles × 65536 + seq).</summary>
    public uint ExtendedHighestSequence { get; init; }

    /// <summary>A.3: packets expected from the current source (extended highest − base + 1).</summary>
    public long PacketsExpected { get; init; }

    /// <summary>A.3: cumulative packets lost from the current source (negative when duplicates arrived).</summary>
    public long PacketsLost { get; init; }

    /// <summary>A.3: fraction lost (×256) in the interval before our last RTCP report.</summary>
    public byte FractionLost { get; init; }

    /// <summary>A.8: interarrival jitter in RTP timestamp units.</summary>
    public double Jitter { get; init; }

    /// <summary>A.8 jitter as time.</summary>
    public TimeSpan JitterTime => ClockRate > 0 ? TimeSpan.FromSeconds(Jitter / ClockRate) : TimeSpan.Zero;

    public long RtcpPacketsSent { get; init; }

    public long RtcpPacketsReceived { get; init; }

    /// <summary>Fraction lost (×256) the remote side last reported about our stream.</summary>
    public byte? RemoteFractionLost { get; init; }

    /// <summary>Cumulative loss the remote side last reported about our stream.</summary>
    public int? RemotePacketsLost { get; init; }

    /// <summary>Jitter the remote side last reported about our stream, in RTP units.</summary>
    public uint? RemoteJitter { get; init; }

    /// <summary>Round-trip time from the last report block with LSR/DLSR (RFC 3550 §6.4.1).</summary>
    public TimeSpan? RoundTripTime { get; init; }

    /// <summary>Packets the remote side says it sent (from its last SR).</summary>
    public uint? RemotePacketsSent { get; init; }

    /// <summary>True once the remote source sent an RTCP BYE.</summary>
    public bool RemoteBye { get; init; }
}
