using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Pipeline.Sip.Auth;

/// <summary>One scheme with its auth-params, as read from a WWW-Authenticate, Proxy-Authenticate or Authorization value.</summary>
internal sealed class AuthSchemeParameters(string scheme)
{
    public string Scheme { get; } = scheme;

    public Dictionary<string, string> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Get(string name) => Parameters.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>
/// Reads and writes the auth-param syntax shared by challenges and credentials (RFC 3261 §25.1, RFC 7235 §2.1):
/// <c>scheme name=token, name="quoted \"string\"", …</c>, possibly several schemes in one value. Tolerant of
/// whitespace (including folded lines), empty list elements and parameter order; unknown parameters are kept but
/// ignored by the callers; a repeated parameter keeps its first value.
/// </summary>
internal static class DigestHeaderSyntax
{
    public static bool TryParse(string value, List<AuthSchemeParameters> result, [NotNullWhen(false)] out string? error)
    {
        AuthSchemeParameters? current = null;
        int pos = 0;
        while (true)
        {
            SkipSeparators(value, ref pos);
            if (pos >= value.Length)
            {
                break;
            }

            int start = pos;
            while (pos < value.Length && IsTokenChar(value[pos]))
            {
                pos++;
            }

            if (pos == start)
            {
                error = $"unexpected character '{value[pos]}' at position {pos}";
                return false;
            }

            string token = value[start..pos];
            int afterToken = pos;
            SkipWhitespace(value, ref pos);
            if (pos < value.Length && value[pos] == '=')
            {
                if (current is null)
                {
                    error = $"parameter '{token}' before any scheme name";
                    return false;
                }

                pos++;
                SkipWhitespace(value, ref pos);
                string paramValue;
                if (pos < value.Length && value[pos] == '"')
                {
                    if (!TryReadQuoted(value, ref pos, out paramValue, out error))
                    {
                        return false;
                    }
                }
                else
                {
                    int valueStart = pos;
                    while (pos < value.Length && value[pos] != ',' && !IsWhitespace(value[pos]))
                    {
                        pos++;
                    }

                    paramValue = value[valueStart..pos];
                }

                current.Parameters.TryAdd(token, paramValue);
            }
            else
            {
                current = new AuthSchemeParameters(token);
                result.Add(current);
                pos = afterToken;
            }
        }

        if (result.Count == 0)
        {
            error = "empty header value";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadQuoted(string s, ref int pos, out string value, [NotNullWhen(false)] out string? error)
    {
        int start = pos;
        pos++; // opening quote
        var sb = new StringBuilder();
        while (pos < s.Length)
        {
            char c = s[pos++];
            if (c == '"')
            {
                value = sb.ToString();
                error = null;
                return true;
            }

            if (c is '\r' or '\n')
            {
                continue; // a folded line inside the quotes: keep the whitespace after it, never the line break
            }

            if (c == '\\' && pos < s.Length && s[pos] is not ('\r' or '\n'))
            {
                c = s[pos++];
            }

            sb.Append(c);
        }

        value = "";
        error = $"unterminated quoted string starting at position {start}";
        return false;
    }

    private static void SkipSeparators(string s, ref int pos)
    {
        while (pos < s.Length && (s[pos] == ',' || IsWhitespace(s[pos])))
        {
            pos++;
        }
    }

    private static void SkipWhitespace(string s, ref int pos)
    {
        while (pos < s.Length && IsWhitespace(s[pos]))
        {
            pos++;
        }
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>Appends <c>, name="value"</c> (or without the comma when first) with quotes and backslashes escaped.</summary>
    public static void AppendQuoted(StringBuilder sb, string name, string value)
    {
        AppendSeparator(sb);
        sb.Append(name).Append("=\"");
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        sb.Append('"');
    }

    /// <summary>Appends <c>, name=token</c>.</summary>
    public static void AppendToken(StringBuilder sb, string name, string value)
    {
        AppendSeparator(sb);
        sb.Append(name).Append('=').Append(value);
    }

    private static void AppendSeparator(StringBuilder sb)
    {
        if (sb[^1] != ' ')
        {
            sb.Append(", ");
        }
    }
}
