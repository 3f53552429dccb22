using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// A name-addr or addr-spec with header parameters, as in From, To, Contact, Route and Record-Route
/// (RFC 3261 §20.10, §25.1). <see cref="Uri"/> is null when the scheme is not sip/sips (<see cref="UriText"/> keeps it).
/// </summary>
internal sealed class SipNameAddr
{
    private SipUri? _uri;

    /// <summary>True while <see cref="_uri"/> is still to be parsed from <see cref="UriText"/> (a validated sip/sips URI).</summary>
    private volatile bool _uriPending;

    public SipNameAddr(SipUri uri, string? displayName = null, SipParameters? parameters = null)
    {
        _uri = uri;
        UriText = uri.ToString();
        DisplayName = displayName;
        Parameters = parameters ?? new SipParameters();
    }

    private SipNameAddr(string uriText, SipUri? uri, string? displayName, SipParameters parameters)
    {
        UriText = uriText;
        _uri = uri;
        DisplayName = displayName;
        Parameters = parameters;
    }

    /// <summary>The display name as written (quoted form keeps its quotes), or null.</summary>
    public string? DisplayName { get; }

    public string UriText { get; }

    /// <summary>The URI when it is sip/sips (parsed on first use), else null.</summary>
    public SipUri? Uri
    {
        get
        {
            if (_uriPending)
            {
                _uri = SipUri.Parse(UriText);
                _uriPending = false;
            }

            return _uri;
        }
    }

    public SipParameters Parameters { get; }

    public string? Tag => Parameters.Get("tag");

    public bool IsWildcard => UriText == "*";

    public SipNameAddr WithTag(string tag)
    {
        var p = Parameters.Clone();
        p.Set("tag", tag);
        return new SipNameAddr(UriText, _uri, DisplayName, p) { _uriPending = _uriPending };
    }

    /// <summary>Parses one value (already split at commas).</summary>
    public static SipNameAddr Parse(string value, string header)
    {
        var kind = Scan(value, header, out var display, out var uriRange, out var paramsStart);
        if (kind == 0)
        {
            return new SipNameAddr("*", null, null, new SipParameters());
        }

        var uriText = value[uriRange];
        string? displayName = null;
        if (display is { } d)
        {
            displayName = value[d.Start.Value] == '"' ? value[d] : JoinTokens(value.AsSpan()[d]);
        }

        var parameters = new SipParameters();
        var s = new SipScanner(value, header) { Position = paramsStart };
        s.ReadParameters(parameters);
        // A sip/sips URI was validated by Scan; it is parsed into a SipUri only when someone asks.
        return new SipNameAddr(uriText, null, displayName, parameters) { _uriPending = kind == 2 };
    }

    /// <summary>Checks one value (already split at commas) without allocating; throws <see cref="SipParseException"/>.</summary>
    internal static void Validate(ReadOnlySpan<char> value, string header) => Scan(value, header, out _, out _, out _);

    /// <summary>
    /// Scans <c>( name-addr / addr-spec ) *( SEMI generic-param )</c>: params after an addr-spec belong to the header,
    /// so an addr-spec ends at the first ';' or whitespace. Returns 0 for the '*' wildcard, 1 for a non-sip URI, 2 for sip/sips.
    /// </summary>
    private static int Scan(ReadOnlySpan<char> value, string header, out Range? display, out Range uri, out int paramsStart)
    {
        display = null;
        uri = default;
        paramsStart = 0;
        var s = new SipScanner(value, header);
        s.SkipLws();
        if (s.AtEnd)
        {
            throw s.Error("empty value");
        }

        if (s.Peek == '*' && value.Trim() is "*")
        {
            paramsStart = value.Length;
            return 0;
        }

        int uriStart, uriEnd;
        if (value.Contains('<'))
        {
            var ds = s.Position;
            if (s.Peek == '"')
            {
                s.ReadQuotedSpan();
                display = ds..s.Position;
                s.SkipLws();
            }
            else if (s.Peek != '<')
            {
                var de = ds;
                while (!s.AtEnd && s.Peek != '<')
                {
                    s.ReadTokenSpan("display name");
                    de = s.Position;
                    s.SkipLws();
                }

                display = ds..de;
            }

            s.Expect('<', "'<'");
            var rest = s.Rest;
            var close = rest.IndexOf('>');
            if (close < 0)
            {
                throw s.Error("missing '>'");
            }

            var inner = rest[..close];
            if (inner.Length == 0 || char.IsWhiteSpace(inner[0]) || char.IsWhiteSpace(inner[^1]))
            {
                throw s.Error("whitespace inside <>");
            }

            uriStart = s.Position;
            uriEnd = uriStart + close;
            s.Position = uriEnd + 1;
        }
        else
        {
            if (s.Peek == '"')
            {
                throw s.Error(value.Count('"') % 2 == 1 ? "unterminated quoted display name" : "display name without <uri>");
            }

            var rest = s.Rest;
            var end = rest.IndexOfAny(';', ' ', '\t');
            var text = end < 0 ? rest : rest[..end];
            if (text.Contains('?') || text.Contains(','))
            {
                throw s.Error("a URI with '?' or ',' must be enclosed in <>");
            }

            uriStart = s.Position;
            uriEnd = uriStart + text.Length;
            s.Position = uriEnd;
        }

        uri = uriStart..uriEnd;
        var uriText = value[uriStart..uriEnd];
        var colon = uriText.IndexOf(':');
        if (colon <= 0 || !SipUri.IsValidScheme(uriText[..colon]))
        {
            throw s.Error($"invalid URI '{uriText.ToString()}'");
        }

        var kind = 1;
        if (SipUri.IsSipScheme(uriText[..colon]))
        {
            if (!SipUri.TryValidate(uriText, out var err))
            {
                throw s.Error(err ?? "invalid URI");
            }

            kind = 2;
        }
        else if (uriText.IndexOfAny(" \t\"") >= 0)
        {
            throw s.Error($"invalid URI '{uriText.ToString()}'");
        }

        paramsStart = s.Position;
        s.SkipParameters();
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }

        return kind;
    }

    /// <summary>An unquoted display name: its tokens joined by single spaces.</summary>
    private static string JoinTokens(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var range in text.SplitAny(" \t\r\n"))
        {
            if (range.End.Value > range.Start.Value)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(text[range]);
            }
        }

        return sb.ToString();
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96);
        if (DisplayName is not null)
        {
            sb.Append(DisplayName).Append(' ');
        }

        sb.Append('<').Append(UriText).Append('>');
        Parameters.WriteTo(sb);
        return sb.ToString();
    }
}
