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

    /// <summary>Received frames that were missing at playout and made up by the decoder's packet loss concealment.</summary>
    public long FramesConcealed { get; init; }

    /// <summary>Received frames that were missing at playout and rebuilt from the in-band FEC of the packet after them
    /// (Opus with <c>useinbandfec=1</c>); not counted in <see cref="FramesConcealed"/>.</summary>
    public long FecRecovered { get; init; }
}
