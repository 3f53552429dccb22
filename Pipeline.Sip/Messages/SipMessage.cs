using System.Globalization;

namespace Pipeline.Sip.Messages;

/// <summary>
/// A SIP request or response: the header lines in order (raw, unfolded, names canonical) and the body.
/// Typed accessors parse on first use and cache; the parser validates them, so on a parsed message they do not throw.
/// </summary>
internal abstract class SipMessage
{
    private readonly List<SipHeader> _headers = [];
    private List<SipVia>? _vias;
    private SipNameAddr? _from;
    private SipNameAddr? _to;
    private SipCSeq? _cseq;
    private List<SipNameAddr>? _contacts;

    public IReadOnlyList<SipHeader> Headers => _headers;

    public string Version { get; set; } = "SIP/2.0";

    public byte[] Body { get; set; } = [];

    public abstract bool IsRequest { get; }

    /// <summary>
    /// The TCP/TLS connection a received message arrived on (null for UDP and for messages made here). A response made
    /// from a request inherits it, so the transport can send it back on that connection (RFC 3261 §18.2.2).
    /// </summary>
    internal Transport.SipStreamConnection? Connection { get; set; }

    public string? GetHeader(string name)
    {
        foreach (var h in _headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }

        return null;
    }

    public int CountHeaders(string name)
    {
        var n = 0;
        foreach (var h in _headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Every value of a header over all its lines; list headers are split at commas.</summary>
    public List<string> GetValues(string name)
    {
        var list = new List<string>();
        var isList = SipHeaderNames.IsList(name);
        foreach (var h in _headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                if (isList)
                {
                    SipHeaderNames.SplitList(h.Value, list);
                }
                else
                {
                    list.Add(h.Value);
                }
            }
        }

        return list;
    }

    public void AddHeader(string name, string value)
    {
        _headers.Add(new SipHeader(name, value));
        Invalidate();
    }

    public void InsertHeader(int index, string name, string value)
    {
        _headers.Insert(index, new SipHeader(name, value));
        Invalidate();
    }

    /// <summary>Replaces every line of the header by one line with <paramref name="value"/> (at the first one's place).</summary>
    public void SetHeader(string name, string value)
    {
        var idx = -1;
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_headers[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                _headers.RemoveAt(i);
                idx = i;
            }
        }

        if (idx >= 0)
        {
            _headers.Insert(idx, new SipHeader(name, value));
        }
        else
        {
            _headers.Add(new SipHeader(name, value));
        }

        Invalidate();
    }

    public void RemoveHeader(string name)
    {
        _headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        Invalidate();
    }

    /// <summary>Replaces the first Via value (which may share a line with others) by <paramref name="via"/>.</summary>
    public void ReplaceTopVia(SipVia via)
    {
        for (var i = 0; i < _headers.Count; i++)
        {
            if (_headers[i].Name == SipHeaderNames.Via)
            {
                var parts = new List<string>();
                SipHeaderNames.SplitList(_headers[i].Value, parts);
                parts[0] = via.ToString();
                _headers[i] = new SipHeader(SipHeaderNames.Via, string.Join(", ", parts));
                Invalidate();
                return;
            }
        }
    }

    private void Invalidate()
    {
        _vias = null;
        _from = null;
        _to = null;
        _cseq = null;
        _contacts = null;
    }

    public IReadOnlyList<SipVia> Vias => _vias ??= GetValues(SipHeaderNames.Via).ConvertAll(SipVia.Parse);

    public SipVia? TopVia => Vias.Count > 0 ? Vias[0] : null;

    public SipNameAddr From => _from ??= SipNameAddr.Parse(Required(SipHeaderNames.From), SipHeaderNames.From);

    public SipNameAddr To => _to ??= SipNameAddr.Parse(Required(SipHeaderNames.To), SipHeaderNames.To);

    public string CallId => Required(SipHeaderNames.CallId).Trim();

    public SipCSeq CSeq => _cseq ??= SipCSeq.Parse(Required(SipHeaderNames.CSeq));

    public int? MaxForwards
    {
        get
        {
            var v = GetHeader(SipHeaderNames.MaxForwards);
            if (v is null)
            {
                return null;
            }

            return int.TryParse(v.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 255
                ? n
                : throw new SipParseException(SipHeaderNames.MaxForwards, $"'{v}' is not a number from 0 to 255");
        }
    }

    public IReadOnlyList<SipNameAddr> Contacts => _contacts ??= GetValues(SipHeaderNames.Contact).ConvertAll(v => SipNameAddr.Parse(v, SipHeaderNames.Contact));

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

            var semi = v.IndexOf(';', StringComparison.Ordinal);
            var mt = (semi >= 0 ? v[..semi] : v).Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal).ToLowerInvariant();
            var slash = mt.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == mt.Length - 1)
            {
                throw new SipParseException(SipHeaderNames.ContentType, $"'{v}' is not a media type");
            }

            return mt;
        }
    }

    public int? ContentLength
    {
        get
        {
            var v = GetHeader(SipHeaderNames.ContentLength);
            if (v is null)
            {
                return null;
            }

            return int.TryParse(v.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new SipParseException(SipHeaderNames.ContentLength, $"'{v}' is not a non-negative number");
        }
    }

    /// <summary>Option tags or methods of a list header (Require, Supported, Allow…), trimmed, empty entries skipped.</summary>
    public List<string> GetTokens(string name)
    {
        var values = GetValues(name);
        values.RemoveAll(string.IsNullOrWhiteSpace);
        return values;
    }

    /// <summary>Checks the headers every message needs and that single-valued headers occur once; throws <see cref="SipParseException"/>.</summary>
    internal virtual void Validate()
    {
        foreach (var name in SipHeaderNames.SingleValued)
        {
            if (CountHeaders(name) > 1)
            {
                throw new SipParseException(name, "more than one header");
            }
        }

        foreach (var name in (string[])[SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq])
        {
            if (GetHeader(name) is null)
            {
                throw new SipParseException(name, "missing");
            }
        }

        if (CallId.Length == 0)
        {
            throw new SipParseException(SipHeaderNames.CallId, "empty");
        }

        _ = Vias;
        _ = From;
        _ = To;
        _ = CSeq;
        _ = MaxForwards;
        _ = ContentType;
        _ = ContentLength;
        _ = Contacts;
        _ = RecordRoutes;
        _ = Routes;
    }

    private string Required(string name) => GetHeader(name) ?? throw new SipParseException(name, "missing");

    public override string ToString() => System.Text.Encoding.UTF8.GetString(SipWriter.Write(this));
}
