using System.Collections;
using System.Globalization;
using System.Text;

namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The parameters of one SDP <c>a=fmtp</c> line (RFC 4566 §6): <c>key=value</c> pairs separated by <c>;</c>, in the
/// order given. Keys compare case-insensitively. A part without <c>=</c> (telephone-event's <c>0-15</c>) is kept with
/// an empty key and written back as it was. Immutable; <see cref="With"/> returns a changed copy.
/// </summary>
public sealed class FmtpParameters : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _items;

    private FmtpParameters(KeyValuePair<string, string>[] items) => _items = items;

    /// <summary>No parameters (no fmtp line).</summary>
    public static FmtpParameters Empty { get; } = new([]);

    /// <summary>True when there is no parameter.</summary>
    public bool IsEmpty => _items.Length == 0;

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public KeyValuePair<string, string> this[int index] => _items[index];

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public string? this[string key] => TryGetValue(key, out var v) ? v : null;

    /// <summary>Parses the text after the payload type of an fmtp line (<c>"maxplaybackrate=16000; stereo=1"</c>).
    /// Tolerant: spaces around parts, keys and values are trimmed, empty parts skipped; null or blank gives <see cref="Empty"/>.
    /// A key given twice keeps its first value.</summary>
    public static FmtpParameters Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Empty;
        var list = new List<KeyValuePair<string, string>>();
        foreach (var raw in text.Split(';'))
        {
            var part = raw.Trim();
            if (part.Length == 0) continue;
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            var pair = eq < 0
                ? new KeyValuePair<string, string>(string.Empty, part)
                : new KeyValuePair<string, string>(part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (pair.Key.Length > 0 && IndexOf(list, pair.Key) >= 0) continue;
            list.Add(pair);
        }

        return list.Count == 0 ? Empty : new FmtpParameters([.. list]);
    }

    /// <summary>Parameters from pairs, in order (a null value is skipped).</summary>
    public static FmtpParameters From(params ReadOnlySpan<KeyValuePair<string, string?>> pairs)
    {
        var p = Empty;
        foreach (var kv in pairs) p = p.With(kv.Key, kv.Value);
        return p;
    }

    /// <summary>Looks <paramref name="key"/> up, ignoring case.</summary>
    public bool TryGetValue(string key, out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var kv in _items)
        {
            if (string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                value = kv.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool Contains(string key) => TryGetValue(key, out _);

    /// <summary>The value of <paramref name="key"/> as a non-negative decimal integer, or null when absent or not a number.</summary>
    public int? GetInt32(string key) =>
        TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (in place when present, else appended);
    /// a null value removes the key.</summary>
    public FmtpParameters With(string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > 0 && (key.Contains(';', StringComparison.Ordinal) || key.Contains('=', StringComparison.Ordinal) || key.Trim().Length != key.Length))
        {
            throw new ArgumentException($"fmtp key '{key}' must not contain ';', '=' or outer spaces.", nameof(key));
        }

        if (value is not null && value.Contains(';', StringComparison.Ordinal))
        {
            throw new ArgumentException($"fmtp value '{value}' of '{key}' must not contain ';'.", nameof(value));
        }

        var list = new List<KeyValuePair<string, string>>(_items);
        int i = key.Length == 0 ? -1 : IndexOf(list, key);
        if (value is null)
        {
            if (i >= 0) list.RemoveAt(i);
        }
        else if (i >= 0)
        {
            list[i] = new(list[i].Key, value);
        }
        else
        {
            list.Add(new(key, value));
        }

        return list.Count == 0 ? Empty : new FmtpParameters([.. list]);
    }

    /// <summary>A copy with <paramref name="key"/> set to an integer value.</summary>
    public FmtpParameters With(string key, int value) => With(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The fmtp text: <c>key=value;key=value</c> (the form RFC 7587 and most peers write); empty when there is none.</summary>
    public override string ToString()
    {
        if (_items.Length == 0) return string.Empty;
        var sb = new StringBuilder();
        foreach (var kv in _items)
        {
            if (sb.Length > 0) sb.Append(';');
            if (kv.Key.Length > 0) sb.Append(kv.Key).Append('=');
            sb.Append(kv.Value);
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(List<KeyValuePair<string, string>> list, string key)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i].Key, key, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }
}
