using System.Globalization;
using System.Text;

namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The events list of RFC 4733 telephone-event (§7.1.1): the fmtp is a comma-separated list of event codes and
/// ranges (<c>0-15</c>, <c>0-11,16</c>). Absent means the DTMF events 0–15. An answer lists the events both sides
/// support (<see cref="Answer"/>). Codes are 0 to 255; malformed parts are skipped.
/// </summary>
public sealed class TelephoneEventFmtp : IEquatable<TelephoneEventFmtp>
{
    /// <summary>The encoding name in rtpmap.</summary>
    public const string EncodingName = "telephone-event";

    private readonly ulong[] _bits = new ulong[4];

    private TelephoneEventFmtp()
    {
    }

    /// <summary>The DTMF digits 0–9, *, #, A–D (events 0–15): the meaning of an absent fmtp.</summary>
    public static TelephoneEventFmtp Dtmf { get; } = FromRange(0, 15);

    /// <summary>What endpoints of this SDK offer by default: 0–16 (DTMF and flash).</summary>
    public static TelephoneEventFmtp Default { get; } = FromRange(0, 16);

    /// <summary>True when no event is listed (an answer with nothing in common).</summary>
    public bool IsEmpty => (_bits[0] | _bits[1] | _bits[2] | _bits[3]) == 0;

    /// <summary>Events <paramref name="first"/> to <paramref name="last"/> inclusive.</summary>
    public static TelephoneEventFmtp FromRange(int first, int last)
    {
        if (first is < 0 or > 255 || last is < 0 or > 255 || last < first)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"Telephone events {first}-{last}: codes are 0 to 255, first not after last.");
        }

        var t = new TelephoneEventFmtp();
        for (int e = first; e <= last; e++) t.Set(e);
        return t;
    }

    /// <summary>Reads the events of an fmtp text; null or blank gives <see cref="Dtmf"/> (RFC 4733 §7.1.1).</summary>
    public static TelephoneEventFmtp Parse(string? fmtp)
    {
        if (string.IsNullOrWhiteSpace(fmtp)) return Dtmf;
        var t = new TelephoneEventFmtp();
        foreach (var raw in fmtp.Split(',', ';'))
        {
            var part = raw.Trim();
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (Code(part) is int e) t.Set(e);
            }
            else if (Code(part[..dash].Trim()) is int a && Code(part[(dash + 1)..].Trim()) is int b && a <= b)
            {
                for (int e = a; e <= b; e++) t.Set(e);
            }
        }

        return t;
    }

    /// <summary>Reads the events from parsed fmtp parameters (the part without a key).</summary>
    public static TelephoneEventFmtp Parse(FmtpParameters fmtp)
    {
        ArgumentNullException.ThrowIfNull(fmtp);
        return fmtp.IsEmpty ? Dtmf : Parse(fmtp.ToString());
    }

    /// <summary>The events both lists hold.</summary>
    public static TelephoneEventFmtp Answer(TelephoneEventFmtp offer, TelephoneEventFmtp local)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(local);
        var t = new TelephoneEventFmtp();
        for (int i = 0; i < 4; i++) t._bits[i] = offer._bits[i] & local._bits[i];
        return t;
    }

    /// <summary>True when event <paramref name="code"/> is listed.</summary>
    public bool Contains(int code) => code is >= 0 and <= 255 && (_bits[code >> 6] & (1UL << (code & 63))) != 0;

    /// <summary>The list in its shortest form, ranges joined (<c>0-11,16</c>).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int e = 0;
        while (e < 256)
        {
            if (!Contains(e))
            {
                e++;
                continue;
            }

            int end = e;
            while (end + 1 < 256 && Contains(end + 1)) end++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(e.ToString(CultureInfo.InvariantCulture));
            if (end > e) sb.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
            e = end + 1;
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(TelephoneEventFmtp? other) =>
        other is not null && _bits[0] == other._bits[0] && _bits[1] == other._bits[1] && _bits[2] == other._bits[2] && _bits[3] == other._bits[3];

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TelephoneEventFmtp);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_bits[0], _bits[1], _bits[2], _bits[3]);

    private void Set(int code) => _bits[code >> 6] |= 1UL << (code & 63);

    private static int? Code(string s) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 255 ? n : null;
}
