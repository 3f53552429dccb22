namespace Pipeline.Core.Rtp;

/// <summary>A 64-bit NTP timestamp (RFC 5905; RFC 3550 §4): seconds since 1900-01-01 UTC in the high 32 bits,
/// the binary fraction of a second in the low 32 bits. RTCP uses it in sender reports and, as the
/// <see cref="Middle32"/> bits, for round-trip time (LSR/DLSR).</summary>
public readonly record struct NtpTimestamp(ulong Value)
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public uint Seconds => (uint)(Value >> 32);

    public uint Fraction => (uint)Value;

    /// <summary>The middle 32 bits (16.16 fixed point seconds) that RTCP's LSR field carries.</summary>
    public uint Middle32 => (uint)(Value >> 16);

    /// <summary>The current wall-clock time.</summary>
    public static NtpTimestamp Now => FromDateTime(DateTime.UtcNow);

    public static NtpTimestamp FromDateTime(DateTime utc)
    {
        long ticks = utc.ToUniversalTime().Ticks - Epoch.Ticks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong rem = (ulong)(ticks % TimeSpan.TicksPerSecond);
        ulong fraction = (rem << 32) / TimeSpan.TicksPerSecond;
        return new NtpTimestamp((seconds << 32) | fraction);
    }

    public DateTime ToDateTime()
    {
        long ticks = (long)Seconds * TimeSpan.TicksPerSecond + (long)(((ulong)Fraction * TimeSpan.TicksPerSecond) >> 32);
        return new DateTime(Epoch.Ticks + ticks, DateTimeKind.Utc);
    }

    /// <summary>Converts a duration in 1/65536 s units (the DLSR field and RTT arithmetic) to a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan FromShortUnits(uint units) => TimeSpan.FromTicks((long)units * TimeSpan.TicksPerSecond / 65536);

    /// <summary>Converts a duration to 1/65536 s units (the DLSR field), saturating.</summary>
    public static uint ToShortUnits(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return 0;
        long u = duration.Ticks * 65536 / TimeSpan.TicksPerSecond;
        return u > uint.MaxValue ? uint.MaxValue : (uint)u;
    }

    public override string ToString() => ToDateTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
