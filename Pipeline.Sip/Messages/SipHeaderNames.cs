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

    private static readonly Dictionary<string, string> Canonical = Build();

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CanonicalBySpan = Canonical.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string> ListHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        Via, Contact, Route, RecordRoute, Require, ProxyRequire, Supported, Unsupported, Allow, Accept,
        "Accept-Encoding", "Accept-Language", ContentEncoding, "Allow-Events", "In-Reply-To", "Call-Info", "Alert-Info", "Error-Info", Warning,
    };

    /// <summary>Headers that may appear at most once (RFC 3261 §7.3.1 and table 2).</summary>
    public static readonly string[] SingleValued = [From, To, CallId, CSeq, MaxForwards, ContentLength, ContentType];

    public static bool IsList(string canonicalName) => ListHeaders.Contains(canonicalName);

    /// <summary>Maps any spelling (compact, odd case) of a known header to its canonical name; unknown names are returned as given.</summary>
    public static string Normalize(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    /// <summary>As <see cref="Normalize(string)"/>, allocating only for unknown names.</summary>
    public static string Normalize(ReadOnlySpan<char> name) => CanonicalBySpan.TryGetValue(name, out var c) ? c : name.ToString();

    private static Dictionary<string, string> Build()
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in new[]
                 {
                     Via, From, To, CallId, CSeq, MaxForwards, Contact, ContentType, ContentLength, Route, RecordRoute, Require, ProxyRequire,
                     Supported, Unsupported, Allow, Accept, UserAgent, Server, Warning, ContentEncoding, "Subject", "Expires", "Date", "Event",
                     "Refer-To", "Referred-By", "Session-Expires", "Allow-Events", "Accept-Encoding", "Accept-Language", "Authorization",
                     "WWW-Authenticate", "Proxy-Authenticate", "Proxy-Authorization", "Min-Expires", "Timestamp", "Organization", "Priority",
                     "Reply-To", "Retry-After", "Content-Disposition", "Content-Language", "MIME-Version", "In-Reply-To", "Call-Info",
                     "Alert-Info", "Error-Info", "Min-SE", "RSeq", "RAck", "Replaces",
                 })
        {
            d[n] = n;
        }

        d["v"] = Via;
        d["f"] = From;
        d["t"] = To;
        d["i"] = CallId;
        d["m"] = Contact;
        d["l"] = ContentLength;
        d["c"] = ContentType;
        d["k"] = Supported;
        d["s"] = "Subject";
        d["e"] = ContentEncoding;
        d["o"] = "Event";
        d["r"] = "Refer-To";
        d["b"] = "Referred-By";
        d["x"] = "Session-Expires";
        d["u"] = "Allow-Events";
        return d;
    }

    /// <summary>Splits a list header value at commas that are outside quotes and angle brackets.</summary>
    public static void SplitList(string value, List<string> into)
    {
        var start = 0;
        var inQuote = false;
        var inAngle = false;
        for (var i = 0; i < value.Length; i++)
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
                into.Add(value[start..i].Trim());
                start = i + 1;
            }
        }

        into.Add(value[start..].Trim());
    }
}
