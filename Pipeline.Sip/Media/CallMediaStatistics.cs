namespace Pipeline.Sip.Media;

/// <summary>A snapshot of a call's media counters.</summary>
public sealed record CallMediaStatistics(
    string? Codec,
    long PacketsSent,
    long OctetsSent,
    long PacketsReceived,
    long OctetsReceived,
    long PacketsLost,
    TimeSpan Jitter)
{
    public static CallMediaStatistics Empty { get; } = new(null, 0, 0, 0, 0, 0, TimeSpan.Zero);
}
