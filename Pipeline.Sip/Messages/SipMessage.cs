using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// A SIP request or response: the header lines in order and the body.
/// <para>
/// A parsed message keeps the bytes it was parsed from (one owned copy) and stores each header line as a
/// <see cref="SipHeaderId"/> plus byte ranges of its name and (trimmed) value, in one array sized once. Names of known
/// headers are canonical constants; values become strings only when asked for (and are cached), typed views
/// (<see cref="Vias"/>, <see cref="From"/>, …) are built on first use and cached. The parser has validated them, so on a
/// parsed message they do not throw. Lines added or changed through the API hold strings.
/// </para>
/// </summary>
internal abstract class SipMessage
{
    /// <summary>One header line as parsed: id and byte ranges of name and value in <see cref="Raw"/> (16 bytes, no references).</summary>
    private struct Entry
    {
        public int NameStart;
        public int ValueStart;
        public int ValueLength;
        public short NameLength;
        public SipHeaderId Id;
        public EntryFlags Flags;

        public readonly bool Folded => (Flags & EntryFlags.Folded) != 0;

        public readonly bool Built => (Flags & EntryFlags.Built) != 0;
    }

    [Flags]
    private enum EntryFlags : byte
    {
        None = 0,

        /// <summary>The value spans folded lines (or holds a lone CR): it is unfolded when read.</summary>
        Folded = 1,

        /// <summary>The line was added or changed through the API: its name and value are the strings in <see cref="_names"/> and <see cref="_values"/>.</summary>
        Built = 2,
    }


    private Entry[] _entries;

    /// <summary>
    /// Parallel to <see cref="_entries"/>: names and values as strings, given through the API or decoded from the bytes on
    /// first use and cached. Each is allocated only when its first string is needed (a parsed message's known header names
    /// are canonical constants, so <see cref="_names"/> usually stays null).
    /// </summary>
    private string?[]? _names;

    private string?[]? _values;
    private int _count;
    private byte[]? _body;
    private int _bodyStart;
    private int _bodyLength;
    private HeaderList? _headerList;
    private List<SipVia>? _vias;
    private SipNameAddr? _from;
    private SipNameAddr? _to;
    private SipCSeq? _cseq;
    private List<SipNameAddr>? _contacts;

    protected SipMessage()
    {
        _entries = [];
    }

    /// <summary>A message parsed from <paramref name="raw"/>, which it now owns.</summary>
    protected SipMessage(byte[] raw)
    {
        Raw = raw;
        _entries = [];
    }

    /// <summary>The bytes the message was parsed from (owned by the message), or null for a message built in code.</summary>
    internal byte[]? Raw { get; }

    public IReadOnlyList<SipHeader> Headers => _headerList ??= new HeaderList(this);

    internal int HeaderCount => _count;

    public string Version { get; set; } = "SIP/2.0";

    /// <summary>The body; for a parsed message copied out of the received bytes on first use (see <see cref="BodyMemory"/> for no copy).</summary>
    public byte[] Body
    {
        get => _body ??= Raw is null || _bodyLength == 0 ? [] : Raw.AsSpan(_bodyStart, _bodyLength).ToArray();
        set => _body = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The body without copying it.</summary>
    public ReadOnlyMemory<byte> BodyMemory => _body is not null ? _body : Raw is null ? ReadOnlyMemory<byte>.Empty : Raw.AsMemory(_bodyStart, _bodyLength);

    public abstract bool IsRequest { get; }

    /// <summary>
    /// The TCP/TLS connection a received message arrived on (null for UDP and for messages made here). A response made
    /// from a request inherits it, so the transport can send it back on that connection (RFC 3261 §18.2.2).
    /// </summary>
    internal Transport.SipStreamConnection? Connection { get; set; }

    // ---- building by the parser ----

    internal void ReserveHeaders(int capacity) => _entries = capacity == 0 ? [] : new Entry[capacity];

    internal void AddRawHeader(SipHeaderId id, int nameStart, int nameLength, int valueStart, int valueLength, bool folded)
    {
        if (_count == _entries.Length)
        {
            Grow(Math.Max(4, _count * 2));
        }

        _entries[_count++] = new Entry
        {
            Id = id,
            NameStart = nameStart,
            NameLength = (short)nameLength,
            ValueStart = valueStart,
            ValueLength = valueLength,
            Flags = folded ? EntryFlags.Folded : EntryFlags.None,
        };
    }

    internal void SetRawBody(int start, int length)
    {
        _body = null;
        _bodyStart = start;
        _bodyLength = length;
    }

    internal string DecodeRaw(int start, int length) => length == 0 || Raw is null ? "" : Encoding.UTF8.GetString(Raw, start, length);

    // ---- header access ----

    internal SipHeaderId IdAt(int i) => _entries[i].Id;

    private void Grow(int capacity)
    {
        Array.Resize(ref _entries, capacity);
        if (_names is not null)
        {
            Array.Resize(ref _names, capacity);
        }

        if (_values is not null)
        {
            Array.Resize(ref _values, capacity);
        }
    }

    private string?[] Names => _names ??= new string?[_entries.Length];

    private string?[] Values => _values ??= new string?[_entries.Length];

    private string? CachedName(int i) => _names is { } n ? n[i] : null;

    private string? CachedValue(int i) => _values is { } v ? v[i] : null;

    /// <summary>The name of line <paramref name="i"/>: as given through the API, canonical for a known header, else as received.</summary>
    internal string NameAt(int i)
    {
        if (CachedName(i) is { } name)
        {
            return name;
        }

        ref var e = ref _entries[i];
        if (e.Id != SipHeaderId.Unknown)
        {
            return SipHeaderNames.CanonicalName(e.Id);
        }

        return Names[i] = Encoding.UTF8.GetString(Raw!, e.NameStart, e.NameLength);
    }

    internal string ValueAt(int i)
    {
        if (CachedValue(i) is { } value)
        {
            return value;
        }

        ref var e = ref _entries[i];
        if (!e.Folded)
        {
            value = DecodeRaw(e.ValueStart, e.ValueLength);
        }
        else
        {
            var chars = new char[Encoding.UTF8.GetMaxCharCount(e.ValueLength)];
            var n = Encoding.UTF8.GetChars(Raw.AsSpan(e.ValueStart, e.ValueLength), chars);
            value = new string(Unfold(chars.AsSpan(0, n)).Trim(" \t"));
        }

        return Values[i] = value;
    }

    /// <summary>
    /// The name of line <paramref name="i"/> as bytes when it is a parsed line: the canonical spelling of a known header, the
    /// received spelling of an unknown one (unless its name was materialised). Empty for a line given through the API.
    /// </summary>
    internal ReadOnlySpan<byte> NameBytesAt(int i)
    {
        ref var e = ref _entries[i];
        if (e.Built || Raw is null)
        {
            return default;
        }

        if (e.Id != SipHeaderId.Unknown)
        {
            return SipHeaderNames.CanonicalNameBytes(e.Id);
        }

        return CachedName(i) is null ? Raw.AsSpan(e.NameStart, e.NameLength) : default;
    }

    /// <summary>The raw value bytes of line <paramref name="i"/> when they can be written as they are (parsed, unchanged, not folded).</summary>
    internal bool TryGetRawValue(int i, out ReadOnlySpan<byte> value)
    {
        ref var e = ref _entries[i];
        if (!e.Built && !e.Folded && CachedValue(i) is null && Raw is not null)
        {
            value = Raw.AsSpan(e.ValueStart, e.ValueLength);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The value of line <paramref name="i"/> as characters (unfolded, trimmed) without allocating when it fits <paramref name="buffer"/>.</summary>
    internal ReadOnlySpan<char> ValueChars(int i, Span<char> buffer, out char[]? rented)
    {
        rented = null;
        if (i < 0)
        {
            return [];
        }

        if (CachedValue(i) is { } value)
        {
            return value;
        }

        ref var e = ref _entries[i];
        var max = Encoding.UTF8.GetMaxCharCount(e.ValueLength);
        if (max > buffer.Length)
        {
            rented = ArrayPool<char>.Shared.Rent(max);
            buffer = rented;
        }

        var n = Encoding.UTF8.GetChars(Raw.AsSpan(e.ValueStart, e.ValueLength), buffer);
        var chars = buffer[..n];
        return e.Folded ? Unfold(chars).Trim(" \t") : chars;
    }

    internal static void ReturnRented(char[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private bool Matches(int i, string name, SipHeaderId id)
    {
        ref var e = ref _entries[i];
        if (id != SipHeaderId.Unknown)
        {
            return e.Id == id;
        }

        if (e.Id != SipHeaderId.Unknown)
        {
            return false;
        }

        return CachedName(i) is { } n ? string.Equals(n, name, StringComparison.OrdinalIgnoreCase) : Ascii.EqualsIgnoreCase(Raw.AsSpan(e.NameStart, e.NameLength), name);
    }

    internal int IndexOf(SipHeaderId id, string name, int start = 0)
    {
        for (var i = start; i < _count; i++)
        {
            if (Matches(i, name, id))
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOf(string name, int start = 0) => IndexOf(SipHeaderNames.IdOf(name), name, start);

    public string? GetHeader(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : ValueAt(i);
    }

    public int CountHeaders(string name)
    {
        var id = SipHeaderNames.IdOf(name);
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            if (Matches(i, name, id))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Every value of a header over all its lines; list headers are split at commas (outside quotes and &lt;&gt;).</summary>
    public List<string> GetValues(string name)
    {
        var list = new List<string>();
        var id = SipHeaderNames.IdOf(name);
        var isList = SipHeaderNames.IsList(id);
        for (var i = 0; i < _count; i++)
        {
            if (Matches(i, name, id))
            {
                if (isList)
                {
                    SipHeaderNames.SplitList(ValueAt(i), list);
                }
                else
                {
                    list.Add(ValueAt(i));
                }
            }
        }

        return list;
    }

    // ---- changes ----

    /// <summary>Makes line <paramref name="i"/> the API-given <paramref name="name"/>: <paramref name="value"/>.</summary>
    private void SetBuilt(int i, string name, string value)
    {
        _entries[i] = new Entry { Id = SipHeaderNames.IdOf(name), Flags = EntryFlags.Built };
        Names[i] = name;
        Values[i] = value;
    }

    public void AddHeader(string name, string value) => InsertHeader(_count, name, value);

    public void InsertHeader(int index, string name, string value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, _count);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (_count == _entries.Length)
        {
            Grow(Math.Max(8, _count * 2));
        }

        if (index < _count)
        {
            Array.Copy(_entries, index, _entries, index + 1, _count - index);
            Array.Copy(Names, index, Names, index + 1, _count - index);
            Array.Copy(Values, index, Values, index + 1, _count - index);
        }

        _count++;
        SetBuilt(index, name, value);
        Invalidate();
    }

    /// <summary>Replaces every line of the header by one line with <paramref name="value"/> (at the first one's place).</summary>
    public void SetHeader(string name, string value)
    {
        var first = IndexOf(name);
        if (first < 0)
        {
            AddHeader(name, value);
            return;
        }

        ArgumentNullException.ThrowIfNull(value);
        RemoveWhere(name, first + 1);
        SetBuilt(first, name, value);
        Invalidate();
    }

    public void RemoveHeader(string name)
    {
        RemoveWhere(name, 0);
        Invalidate();
    }

    private void RemoveWhere(string name, int start)
    {
        var id = SipHeaderNames.IdOf(name);
        var w = start;
        for (var r = start; r < _count; r++)
        {
            if (!Matches(r, name, id))
            {
                if (_names is { } names)
                {
                    names[w] = names[r];
                }

                if (_values is { } values)
                {
                    values[w] = values[r];
                }

                _entries[w++] = _entries[r];
            }
        }

        Array.Clear(_entries, w, _count - w);
        if (_names is not null)
        {
            Array.Clear(_names, w, _count - w);
        }

        if (_values is not null)
        {
            Array.Clear(_values, w, _count - w);
        }

        _count = w;
    }

    /// <summary>Replaces the first Via value (which may share a line with others) by <paramref name="via"/>.</summary>
    public void ReplaceTopVia(SipVia via)
    {
        var i = IndexOf(SipHeaderId.Via, SipHeaderNames.Via);
        if (i < 0)
        {
            return;
        }

        var parts = new List<string>();
        SipHeaderNames.SplitList(ValueAt(i), parts);
        parts[0] = via.ToString();
        SetBuilt(i, SipHeaderNames.Via, string.Join(", ", parts));
        Invalidate();
    }

    private void Invalidate()
    {
        _vias = null;
        _from = null;
        _to = null;
        _cseq = null;
        _contacts = null;
    }

    // ---- typed views ----

    public IReadOnlyList<SipVia> Vias => _vias ??= ParseList(SipHeaderId.Via, SipHeaderNames.Via, static v => SipVia.Parse(v));

    public SipVia? TopVia => Vias.Count > 0 ? Vias[0] : null;

    public SipNameAddr From => _from ??= SipNameAddr.Parse(Required(SipHeaderId.From, SipHeaderNames.From), SipHeaderNames.From);

    public SipNameAddr To => _to ??= SipNameAddr.Parse(Required(SipHeaderId.To, SipHeaderNames.To), SipHeaderNames.To);

    public string CallId => Required(SipHeaderId.CallId, SipHeaderNames.CallId).Trim();

    public SipCSeq CSeq => _cseq ??= ParseCSeq();

    private SipCSeq ParseCSeq()
    {
        var i = IndexOf(SipHeaderId.CSeq, SipHeaderNames.CSeq);
        if (i < 0)
        {
            throw new SipParseException(SipHeaderNames.CSeq, "missing");
        }

        // Read from the bytes (no value string): the method is a shared string for the standard ones.
        Span<char> buffer = stackalloc char[64];
        var value = ValueChars(i, buffer, out var rented);
        try
        {
            var n = SipCSeq.Validate(value, out var method);
            return new SipCSeq(n, SipRequest.InternMethod(method) ?? method.ToString());
        }
        finally
        {
            ReturnRented(rented);
        }
    }

    public int? MaxForwards
    {
        get
        {
            var i = IndexOf(SipHeaderId.MaxForwards, SipHeaderNames.MaxForwards);
            return i < 0 ? null : ParseNumber(i, SipHeaderNames.MaxForwards, 255, "is not a number from 0 to 255");
        }
    }

    public IReadOnlyList<SipNameAddr> Contacts => _contacts ??= ParseList(SipHeaderId.Contact, SipHeaderNames.Contact, static v => SipNameAddr.Parse(v, SipHeaderNames.Contact));

    /// <summary>Every element of a list header over all its lines, parsed; a line holding one element is parsed without splitting it.</summary>
    private List<T> ParseList<T>(SipHeaderId id, string name, Func<string, T> parse)
    {
        var list = new List<T>();
        for (var i = IndexOf(id, name); i >= 0; i = IndexOf(id, name, i + 1))
        {
            var value = ValueAt(i);
            if (value.Length > 0 && value.IndexOf(',', StringComparison.Ordinal) < 0 && !IsLws(value[0]) && !IsLws(value[^1]))
            {
                list.Add(parse(value));
                continue;
            }

            var pos = 0;
            while (SipHeaderNames.NextListItem(value, ref pos, out var item))
            {
                list.Add(parse(item.ToString()));
            }
        }

        return list;

        static bool IsLws(char c) => c is ' ' or '\t' or '\r' or '\n';
    }

    public List<SipNameAddr> RecordRoutes => GetValues(SipHeaderNames.RecordRoute).ConvertAll(v => SipNameAddr.Parse(v, SipHeaderNames.RecordRoute));

    public List<SipNameAddr> Routes => GetValues(SipHeaderNames.Route).ConvertAll(v => SipNameAddr.Parse(v, SipHeaderNames.Route));

    /// <summary>The media type of the body without parameters, lower case (e.g. "application/sdp"), or null.</summary>
    public string? ContentType
    {
        get
        {
            var v = GetHeader(SipHeaderNames.ContentType);
            if (v is null)
            {
                return null;
            }

            ValidateMediaType(v);
            var semi = v.IndexOf(';', StringComparison.Ordinal);
            var mt = semi >= 0 ? v[..semi] : v;
            if (mt.AsSpan().IndexOfAny(" \t") >= 0)
            {
                mt = mt.Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal);
            }

            return mt switch
            {
                "application/sdp" => "application/sdp",
                _ => mt.ToLowerInvariant(),
            };
        }
    }

    public int? ContentLength
    {
        get
        {
            var i = IndexOf(SipHeaderId.ContentLength, SipHeaderNames.ContentLength);
            return i < 0 ? null : ParseNumber(i, SipHeaderNames.ContentLength, int.MaxValue, "is not a non-negative number");
        }
    }

    private int ParseNumber(int i, string header, int max, string problem)
    {
        Span<char> buffer = stackalloc char[64];
        var v = ValueChars(i, buffer, out var rented);
        try
        {
            return int.TryParse(v.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
                ? n
                : throw new SipParseException(header, $"'{v.ToString()}' {problem}");
        }
        finally
        {
            ReturnRented(rented);
        }
    }

    /// <summary>Checks <c>type "/" subtype</c> before any parameters (whitespace ignored).</summary>
    internal static void ValidateMediaType(ReadOnlySpan<char> v)
    {
        var semi = v.IndexOf(';');
        var mt = semi >= 0 ? v[..semi] : v;
        var length = 0;
        var slashAt = -1;
        foreach (var c in mt)
        {
            if (c is ' ' or '\t')
            {
                continue;
            }

            if (c == '/' && slashAt < 0)
            {
                slashAt = length;
            }

            length++;
        }

        if (slashAt <= 0 || slashAt == length - 1)
        {
            throw new SipParseException(SipHeaderNames.ContentType, $"'{v.ToString()}' is not a media type");
        }
    }

    /// <summary>Option tags or methods of a list header (Require, Supported, Allow…), trimmed, empty entries skipped.</summary>
    public List<string> GetTokens(string name)
    {
        var values = GetValues(name);
        values.RemoveAll(string.IsNullOrWhiteSpace);
        return values;
    }

    /// <summary>
    /// The parser's fast check: true when every header <see cref="Validate"/> looks at has an everyday shape that
    /// <see cref="SipFastValidator"/> recognises on the bytes, so <see cref="Validate"/> would pass. False means "not
    /// sure", never "invalid": the caller then runs <see cref="Validate"/>, which finds and names the problem.
    /// <paramref name="contentLength"/> is the Content-Length value, or -1 when there is none.
    /// </summary>
    internal bool TryValidateFast(out int contentLength)
    {
        contentLength = -1;
        if (Raw is not { } raw)
        {
            return false;
        }

        Span<byte> counts = stackalloc byte[64];
        counts.Clear();
        ReadOnlySpan<byte> cseqMethod = default;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (e.Built)
            {
                return false;
            }

            var id = e.Id;
            if (counts[(int)id] < 255)
            {
                counts[(int)id]++;
            }

            if (id == SipHeaderId.Unknown)
            {
                continue;
            }

            var v = raw.AsSpan(e.ValueStart, e.ValueLength);
            var ok = id switch
            {
                SipHeaderId.Via => !e.Folded && AllItems(v, via: true),
                SipHeaderId.From or SipHeaderId.To => !e.Folded && SipFastValidator.IsNameAddr(v),
                SipHeaderId.Contact or SipHeaderId.Route or SipHeaderId.RecordRoute => !e.Folded && AllItems(v, via: false),
                SipHeaderId.CSeq => !e.Folded && SipFastValidator.IsCSeq(v, out cseqMethod),
                SipHeaderId.CallId => v.Length > 0 && v[0] is > 0x20 and < 0x7f,
                SipHeaderId.MaxForwards => !e.Folded && SipFastValidator.IsNumber(v, 255, out _),
                SipHeaderId.ContentLength => !e.Folded && SipFastValidator.IsNumber(v, int.MaxValue, out contentLength),
                SipHeaderId.ContentType => !e.Folded && SipFastValidator.IsMediaType(v),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }

        foreach (var id in SipHeaderNames.SingleValuedIds)
        {
            if (counts[(int)id] > 1)
            {
                return false;
            }
        }

        if (counts[(int)SipHeaderId.Via] == 0 || counts[(int)SipHeaderId.From] == 0 || counts[(int)SipHeaderId.To] == 0 ||
            counts[(int)SipHeaderId.CallId] == 0 || counts[(int)SipHeaderId.CSeq] == 0)
        {
            return false;
        }

        if (this is SipRequest request)
        {
            var method = request.Method;
            if (cseqMethod.Length != method.Length)
            {
                return false;
            }

            for (var i = 0; i < method.Length; i++)
            {
                if (cseqMethod[i] != method[i])
                {
                    return false;
                }
            }
        }

        return true;

        static bool AllItems(ReadOnlySpan<byte> value, bool via)
        {
            if (value.IndexOf((byte)',') < 0)
            {
                // One element: the value is already trimmed as the list split would trim it.
                return via ? SipFastValidator.IsVia(value) : SipFastValidator.IsNameAddr(value);
            }

            var pos = 0;
            while (SipFastValidator.NextListItem(value, ref pos, out var item))
            {
                if (!(via ? SipFastValidator.IsVia(item) : SipFastValidator.IsNameAddr(item)))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Checks the headers every message needs, that single-valued headers occur once and that the values the stack
    /// relies on are well formed; throws <see cref="SipParseException"/>. Works on the bytes: builds no objects.
    /// </summary>
    internal virtual void Validate()
    {
        Span<byte> counts = stackalloc byte[64];
        counts.Clear();
        for (var i = 0; i < _count; i++)
        {
            var id = (int)_entries[i].Id;
            if (counts[id] < 255)
            {
                counts[id]++;
            }
        }

        foreach (var id in SipHeaderNames.SingleValuedIds)
        {
            if (counts[(int)id] > 1)
            {
                throw new SipParseException(SipHeaderNames.CanonicalName(id), "more than one header");
            }
        }

        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.Via, SipHeaderId.From, SipHeaderId.To, SipHeaderId.CallId, SipHeaderId.CSeq])
        {
            if (counts[(int)id] == 0)
            {
                throw new SipParseException(SipHeaderNames.CanonicalName(id), "missing");
            }
        }

        Span<char> buffer = stackalloc char[512];
        if (ValueChars(IndexOf(SipHeaderId.CallId, SipHeaderNames.CallId), buffer, out var r0).Trim().IsEmpty)
        {
            ReturnRented(r0);
            throw new SipParseException(SipHeaderNames.CallId, "empty");
        }

        ReturnRented(r0);
        ValidateAll(SipHeaderId.Via, buffer);
        ValidateAll(SipHeaderId.From, buffer);
        ValidateAll(SipHeaderId.To, buffer);
        ValidateAll(SipHeaderId.CSeq, buffer);
        _ = MaxForwards;
        ValidateAll(SipHeaderId.ContentType, buffer);
        _ = ContentLength;
        ValidateAll(SipHeaderId.Contact, buffer);
        ValidateAll(SipHeaderId.RecordRoute, buffer);
        ValidateAll(SipHeaderId.Route, buffer);
    }

    private void ValidateAll(SipHeaderId id, Span<char> buffer)
    {
        var name = SipHeaderNames.CanonicalName(id);
        for (var i = IndexOf(id, name); i >= 0; i = IndexOf(id, name, i + 1))
        {
            var value = ValueChars(i, buffer, out var rented);
            try
            {
                switch (id)
                {
                    case SipHeaderId.CSeq:
                        SipCSeq.Validate(value, out _);
                        break;
                    case SipHeaderId.ContentType:
                        ValidateMediaType(value);
                        break;
                    case SipHeaderId.From or SipHeaderId.To:
                        SipNameAddr.Validate(value, name);
                        break;
                    default:
                        var pos = 0;
                        while (SipHeaderNames.NextListItem(value, ref pos, out var item))
                        {
                            if (id == SipHeaderId.Via)
                            {
                                SipVia.Validate(item);
                            }
                            else
                            {
                                SipNameAddr.Validate(item, name);
                            }
                        }

                        break;
                }
            }
            finally
            {
                ReturnRented(rented);
            }
        }
    }

    private string Required(SipHeaderId id, string name)
    {
        var i = IndexOf(id, name);
        return i >= 0 ? ValueAt(i) : throw new SipParseException(name, "missing");
    }

    /// <summary>Unfolds a logical line in place: CR is dropped, each LF plus the SP/HT after it becomes one space.</summary>
    internal static Span<char> Unfold(Span<char> line)
    {
        if (line.IndexOfAny('\r', '\n') < 0)
        {
            return line;
        }

        var w = 0;
        var r = 0;
        while (r < line.Length)
        {
            var c = line[r++];
            if (c == '\r')
            {
                continue;
            }

            if (c == '\n')
            {
                while (r < line.Length && (line[r] == ' ' || line[r] == '\t'))
                {
                    r++;
                }

                line[w++] = ' ';
                continue;
            }

            line[w++] = c;
        }

        return line[..w];
    }

    public override string ToString() => Encoding.UTF8.GetString(SipWriter.Write(this));

    /// <summary>The header lines as (name, value) pairs, materialised on access.</summary>
    private sealed class HeaderList(SipMessage message) : IReadOnlyList<SipHeader>
    {
        public SipHeader this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)message._count, nameof(index));
                return new SipHeader(message.NameAt(index), message.ValueAt(index));
            }
        }

        public int Count => message._count;

        public IEnumerator<SipHeader> GetEnumerator()
        {
            for (var i = 0; i < message._count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
