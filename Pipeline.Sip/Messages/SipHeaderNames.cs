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

    /// <summary><see cref="CanonicalById"/> as ASCII bytes, for the writer.</summary>
    private static readonly byte[][] CanonicalBytesById = Array.ConvertAll(CanonicalById, System.Text.Encoding.ASCII.GetBytes);

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

    /// <summary>The canonical name of a known id as ASCII bytes.</summary>
    internal static ReadOnlySpan<byte> CanonicalNameBytes(SipHeaderId id) => CanonicalBytesById[(int)id];

    /// <summary>The canonical name of a known id.</summary>
    internal static string CanonicalName(SipHeaderId id) => CanonicalById[(int)id];

    /// <summary>Names a header from its wire bytes (any case, compact forms): a switch on the length, then on one or two distinguishing letters, then one compare.</summary>
    internal static SipHeaderId Identify(ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 1:
                return (name[0] | 0x20) switch
                {
                    'v' => SipHeaderId.Via,
                    'f' => SipHeaderId.From,
                    't' => SipHeaderId.To,
                    'i' => SipHeaderId.CallId,
                    'm' => SipHeaderId.Contact,
                    'l' => SipHeaderId.ContentLength,
                    'c' => SipHeaderId.ContentType,
                    'k' => SipHeaderId.Supported,
                    's' => SipHeaderId.Subject,
                    'e' => SipHeaderId.ContentEncoding,
                    'o' => SipHeaderId.Event,
                    'r' => SipHeaderId.ReferTo,
                    'b' => SipHeaderId.ReferredBy,
                    'x' => SipHeaderId.SessionExpires,
                    'u' => SipHeaderId.AllowEvents,
                    _ => SipHeaderId.Unknown,
                };
            case 2:
                return Is(name, "to"u8, SipHeaderId.To);
            case 3:
                return Is(name, "via"u8, SipHeaderId.Via);
            case 4:
                return (((name[0] | 0x20) << 8) | (name[1] | 0x20)) switch
                {
                    ('f' << 8) | 'r' => Is(name, "from"u8, SipHeaderId.From),
                    ('c' << 8) | 's' => Is(name, "cseq"u8, SipHeaderId.CSeq),
                    ('d' << 8) | 'a' => Is(name, "date"u8, SipHeaderId.Date),
                    ('r' << 8) | 's' => Is(name, "rseq"u8, SipHeaderId.RSeq),
                    ('r' << 8) | 'a' => Is(name, "rack"u8, SipHeaderId.RAck),
                    _ => SipHeaderId.Unknown,
                };
            case 5:
                return (name[0] | 0x20) switch
                {
                    'r' => Is(name, "route"u8, SipHeaderId.Route),
                    'a' => Is(name, "allow"u8, SipHeaderId.Allow),
                    'e' => Is(name, "event"u8, SipHeaderId.Event),
                    _ => SipHeaderId.Unknown,
                };
            case 6:
                return (name[0] | 0x20) switch
                {
                    'a' => Is(name, "accept"u8, SipHeaderId.Accept),
                    's' => Is(name, "server"u8, SipHeaderId.Server),
                    'm' => Is(name, "min-se"u8, SipHeaderId.MinSE),
                    _ => SipHeaderId.Unknown,
                };
            case 7:
                return (name[2] | 0x20) switch
                {
                    'l' => Is(name, "call-id"u8, SipHeaderId.CallId),
                    'n' => Is(name, "contact"u8, SipHeaderId.Contact),
                    'q' => Is(name, "require"u8, SipHeaderId.Require),
                    'r' => Is(name, "warning"u8, SipHeaderId.Warning),
                    'b' => Is(name, "subject"u8, SipHeaderId.Subject),
                    'p' => Is(name, "expires"u8, SipHeaderId.Expires),
                    _ => SipHeaderId.Unknown,
                };
            case 8:
                return (((name[0] | 0x20) << 8) | (name[4] | 0x20)) switch
                {
                    ('r' << 8) | 'r' => Is(name, "refer-to"u8, SipHeaderId.ReferTo),
                    ('p' << 8) | 'r' => Is(name, "priority"u8, SipHeaderId.Priority),
                    ('r' << 8) | 'y' => Is(name, "reply-to"u8, SipHeaderId.ReplyTo),
                    ('r' << 8) | 'a' => Is(name, "replaces"u8, SipHeaderId.Replaces),
                    _ => SipHeaderId.Unknown,
                };
            case 9:
                return (name[0] | 0x20) switch
                {
                    's' => Is(name, "supported"u8, SipHeaderId.Supported),
                    't' => Is(name, "timestamp"u8, SipHeaderId.Timestamp),
                    'c' => Is(name, "call-info"u8, SipHeaderId.CallInfo),
                    _ => SipHeaderId.Unknown,
                };
            case 10:
                return (name[0] | 0x20) switch
                {
                    'u' => Is(name, "user-agent"u8, SipHeaderId.UserAgent),
                    'a' => Is(name, "alert-info"u8, SipHeaderId.AlertInfo),
                    'e' => Is(name, "error-info"u8, SipHeaderId.ErrorInfo),
                    _ => SipHeaderId.Unknown,
                };
            case 11:
                return (name[2] | 0x20) switch
                {
                    's' => Is(name, "unsupported"u8, SipHeaderId.Unsupported),
                    'f' => Is(name, "referred-by"u8, SipHeaderId.ReferredBy),
                    'n' => Is(name, "min-expires"u8, SipHeaderId.MinExpires),
                    't' => Is(name, "retry-after"u8, SipHeaderId.RetryAfter),
                    '-' => Is(name, "in-reply-to"u8, SipHeaderId.InReplyTo),
                    _ => SipHeaderId.Unknown,
                };
            case 12:
                return (name[1] | 0x20) switch
                {
                    'a' => Is(name, "max-forwards"u8, SipHeaderId.MaxForwards),
                    'o' => Is(name, "content-type"u8, SipHeaderId.ContentType),
                    'e' => Is(name, "record-route"u8, SipHeaderId.RecordRoute),
                    'l' => Is(name, "allow-events"u8, SipHeaderId.AllowEvents),
                    'r' => Is(name, "organization"u8, SipHeaderId.Organization),
                    'i' => Is(name, "mime-version"u8, SipHeaderId.MimeVersion),
                    _ => SipHeaderId.Unknown,
                };
            case 13:
                return (name[0] | 0x20) switch
                {
                    'p' => Is(name, "proxy-require"u8, SipHeaderId.ProxyRequire),
                    'a' => Is(name, "authorization"u8, SipHeaderId.Authorization),
                    _ => SipHeaderId.Unknown,
                };
            case 14:
                return Is(name, "content-length"u8, SipHeaderId.ContentLength);
            case 15:
                return (name[7] | 0x20) switch
                {
                    '-' => Is(name, "session-expires"u8, SipHeaderId.SessionExpires),
                    'e' => Is(name, "accept-encoding"u8, SipHeaderId.AcceptEncoding),
                    'l' => Is(name, "accept-language"u8, SipHeaderId.AcceptLanguage),
                    _ => SipHeaderId.Unknown,
                };
            case 16:
                return (name[10] | 0x20) switch
                {
                    'c' => Is(name, "content-encoding"u8, SipHeaderId.ContentEncoding),
                    't' => Is(name, "www-authenticate"u8, SipHeaderId.WwwAuthenticate),
                    'n' => Is(name, "content-language"u8, SipHeaderId.ContentLanguage),
                    _ => SipHeaderId.Unknown,
                };
            case 18:
                return Is(name, "proxy-authenticate"u8, SipHeaderId.ProxyAuthenticate);
            case 19:
                return (name[0] | 0x20) switch
                {
                    'p' => Is(name, "proxy-authorization"u8, SipHeaderId.ProxyAuthorization),
                    'c' => Is(name, "content-disposition"u8, SipHeaderId.ContentDisposition),
                    _ => SipHeaderId.Unknown,
                };
            default:
                return SipHeaderId.Unknown;
        }

        // candidate is lower case, letters and '-' only; a letter matches in either case, '-' only itself.
        static SipHeaderId Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> candidate, SipHeaderId id)
        {
            for (var k = 0; k < candidate.Length; k++)
            {
                var b = name[k];
                var c = candidate[k];
                if (b != c && (c == '-' || (b | 0x20) != c))
                {
                    return SipHeaderId.Unknown;
                }
            }

            return id;
        }
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
        if (!NextListRange(value, ref pos, out var start, out var end))
        {
            item = default;
            return false;
        }

        item = value[start..end].Trim(" \t\r\n");
        return true;
    }

    /// <summary>
    /// Where the next element of a comma list starting at <paramref name="pos"/> lies (untrimmed), for UTF-16 text and
    /// for raw bytes alike; commas inside quoted strings (with backslash escapes) and inside &lt;&gt; do not split.
    /// Returns false when the value is used up.
    /// </summary>
    internal static bool NextListRange<T>(ReadOnlySpan<T> value, ref int pos, out int start, out int end)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        start = pos;
        end = pos;
        if (pos > value.Length)
        {
            return false;
        }

        T quote = T.CreateTruncating('"'), backslash = T.CreateTruncating('\\'), open = T.CreateTruncating('<'), close = T.CreateTruncating('>'), comma = T.CreateTruncating(',');
        var inQuote = false;
        var inAngle = false;
        var i = pos;
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuote)
            {
                if (c == backslash)
                {
                    i++;
                }
                else if (c == quote)
                {
                    inQuote = false;
                }
            }
            else if (c == quote)
            {
                inQuote = true;
            }
            else if (c == open)
            {
                inAngle = true;
            }
            else if (c == close)
            {
                inAngle = false;
            }
            else if (c == comma && !inAngle)
            {
                break;
            }
        }

        end = Math.Min(i, value.Length);
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
