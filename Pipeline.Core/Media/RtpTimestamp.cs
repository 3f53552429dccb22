namespace Pipeline.Core.Media;

/// <summary>A 32-bit RTP timestamp (RFC 3550 §5.1) in units of the stream's <see cref="RtpClockRate"/>.
/// Arithmetic wraps modulo 2^32; comparisons are serial-number comparisons (RFC 1982).</summary>
public readonly record struct RtpTimestamp(uint Value) : IComparable<RtpTimestamp>
{
    public static RtpTimestamp operator +(RtpTimestamp t, uint units) => new(unchecked(t.Value + units));

    public static RtpTimestamp operator -(RtpTimestamp t, uint units) => new(unchecked(t.Value - units));

    /// <summary>Signed distance from <paramref name="b"/> to <paramref name="a"/> in RTP units, correct across wrap-around.</summary>
    public static int operator -(RtpTimestamp a, RtpTimestamp b) => unchecked((int)(a.Value - b.Value));

    public static bool operator <(RtpTimestamp a, RtpTimestamp b) => (a - b) < 0;

    public static bool operator >(RtpTimestamp a, RtpTimestamp b) => (a - b) > 0;

    public static bool operator <=(RtpTimestamp a, RtpTimestamp b) => (a - b) <= 0;

    public static bool operator >=(RtpTimestamp a, RtpTimestamp b) => (a - b) >= 0;

    public int CompareTo(RtpTimestamp other) => Math.Sign(this - other);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
