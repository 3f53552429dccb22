namespace Pipeline.Sip.Messages;

/// <summary>Header names: canonical spelling, compact forms (RFC 3261 §7.3.3) and which headers are comma lists.</summary>
internal static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string MaxForwards = "Max-Forwards";
    public const string Contact = "Contact";
    public const string ContentType = "Content-Type";
    public const string ContentLength = "Content-Length";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Require = "Require";
    public const string ProxyRequire = "Proxy-Require";
    public const string Supported = "Supported";
    public const string Unsupported = "Unsupported";
    public const string Allow = "Allow";
    public const string Accept = "Accept";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Warning = "Warning";
    public const string ContentEncoding = "Content-Encoding";

    /// <summary>Canonical spelling per <see cref="SipHeaderId"/> (index 0, unknown, is empty).</summary>
    private static readonly string[] CanonicalById =
    [
        "", Via, From, To, CallId, CSeq, MaxForwards, Contact, ContentType, ContentLength, Route, RecordRoute, Require, ProxyRequire,
        Supported, Unsupported, Allow, Accept, UserAgent, Server, Warning, ContentEncoding, "Subject", "Expires", "Date", "Event",
        "Refer-To", "Referred-By", "Session-Expires", "Allow-Events", "Accept-Encoding", "Accept-Language", "Authorization",
        "WWW-Authenticate", "Proxy-Authenticate", "Proxy-Authorization", "Min-Expires", "Timestamp", "Organization", "Priority",
        "Reply-To", "Retry-After", "Content-Disposition", "Content-Language", "MIME-Version", "In-Reply-To", "Call-Info",
        "Alert-Info", "Error-Info", "Min-SE", "RSeq", "RAck", "Replaces",
    ];

    private static readonly Dictionary<string, SipHeaderId> IdByName = BuildIds();

    private static readonly Dictionary<string, SipHeaderId>.AlternateLookup<ReadOnlySpan<char>> IdBySpan = IdByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Known names (canonical and compact, as ASCII bytes) grouped by length, for <see cref="Identify(ReadOnlySpan{byte})"/>.</summary>
    private static readonly (byte[] Name, SipHeaderId Id)[][] ByLength = BuildByLength();

    private static readonly bool[] ListById = BuildListIds();

    /// <summary>Headers that may appear at most once (RFC 3261 §7.3.1 and table 2).</summary>
    public static readonly string[] SingleValued = [From, To, CallId, CSeq, MaxForwards, ContentLength, ContentType];

    internal static readonly SipHeaderId[] SingleValuedIds =
        [SipHeaderId.From, SipHeaderId.To, SipHeaderId.CallId, SipHeaderId.CSeq, SipHeaderId.MaxForwards, SipHeaderId.ContentLength, SipHeaderId.ContentType];

    public static bool IsList(string canonicalName) => IsList(IdOf(canonicalName));

    internal static bool IsList(SipHeaderId id) => ListById[(int)id];

    /// <summary>Maps any spelling (compact, odd case) of a known header to its canonical name; unknown names are returned as given.</summary>
    public static string Normalize(string name) => IdByName.TryGetValue(name, out var id) ? CanonicalById[(int)id] : name;

    /// <summary>As <see cref="Normalize(string)"/>, allocating only for unknown names.</summary>
    public static string Normalize(ReadOnlySpan<char> name) => IdBySpan.TryGetValue(name, out var id) ? CanonicalById[(int)id] : name.ToString();

    /// <summary>The id of a header name in any spelling (compact, odd case); <see cref="SipHeaderId.Unknown"/> for others.</summary>
    internal static SipHeaderId IdOf(string name) => IdByName.TryGetValue(name, out var id) ? id : SipHeaderId.Unknown;

    /// <summary>The canonical name of a known id.</summary>
    internal static string CanonicalName(SipHeaderId id) => CanonicalById[(int)id];

    /// <summary>Names a header from its wire bytes: a table lookup by length, then first byte, then a case-insensitive compare.</summary>
    internal static SipHeaderId Identify(ReadOnlySpan<byte> name)
    {
        if (name.Length >= ByLength.Length)
        {
            return SipHeaderId.Unknown;
        }

        var first = (byte)(name[0] | 0x20);
        foreach (var (candidate, id) in ByLength[name.Length])
        {
            if (candidate[0] == first && System.Text.Ascii.EqualsIgnoreCase(candidate, name))
            {
                return id;
            }
        }

        return SipHeaderId.Unknown;
    }

    private static Dictionary<string, SipHeaderId> BuildIds()
    {
        var d = new Dictionary<string, SipHeaderId>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < CanonicalById.Length; i++)
        {
            d[CanonicalById[i]] = (SipHeaderId)i;
        }

        d["v"] = SipHeaderId.Via;
        d["f"] = SipHeaderId.From;
        d["t"] = SipHeaderId.To;
        d["i"] = SipHeaderId.CallId;
        d["m"] = SipHeaderId.Contact;
        d["l"] = SipHeaderId.ContentLength;
        d["c"] = SipHeaderId.ContentType;
        d["k"] = SipHeaderId.Supported;
        d["s"] = SipHeaderId.Subject;
        d["e"] = SipHeaderId.ContentEncoding;
        d["o"] = SipHeaderId.Event;
        d["r"] = SipHeaderId.ReferTo;
        d["b"] = SipHeaderId.ReferredBy;
        d["x"] = SipHeaderId.SessionExpires;
        d["u"] = SipHeaderId.AllowEvents;
        return d;
    }

    private static (byte[] Name, SipHeaderId Id)[][] BuildByLength()
    {
        var max = 0;
        foreach (var k in IdByName.Keys)
        {
            max = Math.Max(max, k.Length);
        }

        var lists = new List<(byte[], SipHeaderId)>[max + 1];
        for (var i = 0; i <= max; i++)
        {
            lists[i] = [];
        }

        foreach (var (k, id) in IdByName)
        {
            lists[k.Length].Add((System.Text.Encoding.ASCII.GetBytes(k.ToLowerInvariant()), id));
        }

        var result = new (byte[], SipHeaderId)[max + 1][];
        for (var i = 0; i <= max; i++)
        {
            result[i] = [.. lists[i]];
        }

        return result;
    }

    private static bool[] BuildListIds()
    {
        var list = new bool[CanonicalById.Length];
        foreach (var id in (SipHeaderId[])
                 [
                     SipHeaderId.Via, SipHeaderId.Contact, SipHeaderId.Route, SipHeaderId.RecordRoute, SipHeaderId.Require, SipHeaderId.ProxyRequire,
                     SipHeaderId.Supported, SipHeaderId.Unsupported, SipHeaderId.Allow, SipHeaderId.Accept, SipHeaderId.AcceptEncoding,
                     SipHeaderId.AcceptLanguage, SipHeaderId.ContentEncoding, SipHeaderId.AllowEvents, SipHeaderId.InReplyTo, SipHeaderId.CallInfo,
                     SipHeaderId.AlertInfo, SipHeaderId.ErrorInfo, SipHeaderId.Warning,
                 ])
        {
            list[(int)id] = true;
        }

        return list;
    }

    /// <summary>
    /// The next element of a comma list starting at <paramref name="pos"/>, trimmed; commas inside quoted strings (with
    /// backslash escapes) and inside &lt;&gt; do not split. Returns false when the value is used up.
    /// </summary>
    internal static bool NextListItem(ReadOnlySpan<char> value, ref int pos, out ReadOnlySpan<char> item)
    {
        if (pos > value.Length)
        {
            item = default;
            return false;
        }

        var start = pos;
        var inQuote = false;
        var inAngle = false;
        var i = pos;
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuote)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuote = false;
                }
            }
            else if (c == '"')
            {
                inQuote = true;
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == '>')
            {
                inAngle = false;
            }
            else if (c == ',' && !inAngle)
            {
                break;
            }
        }

        var end = Math.Min(i, value.Length);
        item = value[start..end].Trim(" \t\r\n");
        pos = end + 1;
        return true;
    }

    /// <summary>Splits a list header value at commas that are outside quotes and angle brackets.</summary>
    public static void SplitList(string value, List<string> into)
    {
        int pos = 0;
        while (NextListItem(value, ref pos, out var item))
        {
            into.Add(item.ToString());
        }
    }
}
