namespace Pipeline.Core.Rtp;

/// <summary>One reception report block of an SR or RR (RFC 3550 §6.4.1).</summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Fraction lost since the previous report, as a fixed-point number with the binary point at the left (lost/expected × 256).</param>
/// <param name="CumulativeLost">Packets lost since the beginning (24-bit signed: duplicates can make it negative).</param>
/// <param name="ExtendedHighestSequence">Cycles × 65536 + highest sequence number received.</param>
/// <param name="Jitter">Interarrival jitter estimate in RTP timestamp units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the NTP timestamp of the last SR received from this source (0 if none).</param>
/// <param name="DelaySinceLastSenderReport">Delay since receiving that SR, in 1/65536 s (0 if none).</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    public const int Size = 24;

    /// <summary>Largest and smallest values the 24-bit signed cumulative-lost field holds.</summary>
    public const int MaxCumulativeLost = 0x7FFFFF;

    public const int MinCumulativeLost = -0x800000;

    /// <summary><see cref="FractionLost"/> as a ratio 0..1.</summary>
    public double FractionLostRatio => FractionLost / 256.0;
}
