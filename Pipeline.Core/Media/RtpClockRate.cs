namespace Pipeline.Core.Media;

/// <summary>The rate of an RTP timestamp clock in ticks per second (RFC 3550 §5.1), as the SDP
/// rtpmap gives it. Not a sample rate: see <see cref="SampleRate"/>.</summary>
public readonly record struct RtpClockRate
{
    public RtpClockRate(int hertz)
    {
        if (hertz <= 0) throw new ArgumentOutOfRangeException(nameof(hertz), hertz, "An RTP clock rate must be positive.");
        Hertz = hertz;
    }

    public int Hertz { get; }

    /// <summary>RTP timestamp units in <paramref name="duration"/>.</summary>
    public uint UnitsIn(TimeSpan duration) => checked((uint)(duration.Ticks * Hertz / TimeSpan.TicksPerSecond));

    public TimeSpan DurationOf(uint units) => TimeSpan.FromTicks(units * TimeSpan.TicksPerSecond / Hertz);

    public override string ToString() => $"{Hertz} Hz RTP clock";
}
