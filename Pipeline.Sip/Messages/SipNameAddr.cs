using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// A name-addr or addr-spec with header parameters, as in From, To, Contact, Route and Record-Route
/// (RFC 3261 §20.10, §25.1). <see cref="Uri"/> is null when the scheme is not sip/sips (<see cref="UriText"/> keeps it).
/// </summary>
internal sealed class SipNameAddr
{
    public SipNameAddr(SipUri uri, string? displayName = null, SipParameters? parameters = null)
    {
        Uri = uri;
        UriText = uri.ToString();
        DisplayName = displayName;
        Parameters = parameters ?? new SipParameters();
    }

    private SipNameAddr(string uriText, SipUri? uri, string? displayName, SipParameters parameters)
    {
        UriText = uriText;
        Uri = uri;
        DisplayName = displayName;
        Parameters = parameters;
    }

    /// <summary>The display name as written (quoted form keeps its quotes), or null.</summary>
    public string? DisplayName { get; }

    public string UriText { get; }

    public SipUri? Uri { get; }

    public SipParameters Parameters { get; }

    public string? Tag => Parameters.Get("tag");

    public bool IsWildcard => UriText == "*";

    public SipNameAddr WithTag(string tag)
    {
        var p = Parameters.Clone();
        p.Set("tag", tag);
        return new SipNameAddr(UriText, Uri, DisplayName, p);
    }

    /// <summary>Parses one value (already split at commas).</summary>
    public static SipNameAddr Parse(string value, string header)
    {
        var s = new SipScanner(value, header);
        s.SkipLws();
        if (s.AtEnd)
        {
            throw s.Error("empty value");
        }

        if (s.Peek == '*' && value.Trim() == "*")
        {
            return new SipNameAddr("*", null, null, new SipParameters());
        }

        string? display = null;
        string uriText;
        var hasAngle = value.Contains('<', StringComparison.Ordinal);
        if (hasAngle)
        {
            if (s.Peek == '"')
            {
                display = s.ReadQuoted();
                s.SkipLws();
            }
            else if (s.Peek != '<')
            {
                var sb = new StringBuilder();
                while (!s.AtEnd && s.Peek != '<')
                {
                    var tok = s.ReadToken("display name");
                    if (sb.Length > 0)
                    {
                        sb.Append(' ');
                    }

                    sb.Append(tok);
                    s.SkipLws();
                }

                display = sb.ToString();
            }

            s.Expect('<', "'<'");
            var rest = s.Rest;
            var close = rest.IndexOf('>');
            if (close < 0)
            {
                throw s.Error("missing '>'");
            }

            uriText = rest[..close].ToString();
            if (uriText.Length == 0 || char.IsWhiteSpace(uriText[0]) || char.IsWhiteSpace(uriText[^1]))
            {
                throw s.Error("whitespace inside <>");
            }

            s.Position += close + 1;
        }
        else
        {
            if (s.Peek == '"')
            {
                throw s.Error(value.Count(c => c == '"') % 2 == 1 ? "unterminated quoted display name" : "display name without <uri>");
            }

            var rest = s.Rest;
            var end = rest.IndexOfAny(';', ' ', '\t');
            uriText = (end < 0 ? rest : rest[..end]).ToString();
            if (uriText.Contains('?', StringComparison.Ordinal) || uriText.Contains(',', StringComparison.Ordinal))
            {
                throw s.Error("a URI with '?' or ',' must be enclosed in <>");
            }

            s.Position += uriText.Length;
        }

        var colon = uriText.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !SipUri.IsValidScheme(uriText.AsSpan(0, colon)))
        {
            throw s.Error($"invalid URI '{uriText}'");
        }

        SipUri? uri = null;
        var scheme = uriText[..colon].ToLowerInvariant();
        if (scheme is "sip" or "sips")
        {
            if (!SipUri.TryParse(uriText, out uri, out var err))
            {
                throw s.Error(err ?? "invalid URI");
            }
        }
        else if (uriText.AsSpan().IndexOfAny(" \t\"") >= 0)
        {
            throw s.Error($"invalid URI '{uriText}'");
        }

        var parameters = new SipParameters();
        s.ReadParameters(parameters);
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }

        return new SipNameAddr(uriText, uri, display, parameters);
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
