using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 §19.1): user, password, host (name, IPv4 or bracketed IPv6
/// reference), port, parameters and headers. Parts are kept as written (escapes intact).
/// </summary>
public sealed class SipUri
{
    private SipUri(string scheme, string? user, string? password, string host, int? port, SipParameters parameters, string? headers)
    {
        Scheme = scheme;
        User = user;
        Password = password;
        Host = host;
        Port = port;
        Params = parameters;
        Headers = headers;
    }

    /// <summary>"sip" or "sips" (lower case).</summary>
    public string Scheme { get; }

    /// <summary>The user part as written (may contain % escapes), or null.</summary>
    public string? User { get; }

    /// <summary>The password part, or null.</summary>
    public string? Password { get; }

    /// <summary>Host name, IPv4 address or IPv6 reference in brackets.</summary>
    public string Host { get; }

    /// <summary>The explicit port, or null when the URI has none.</summary>
    public int? Port { get; }

    /// <summary>The URI parameters in order (<c>;transport=udp;lr</c>); a valueless parameter has a null value.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters => Params.Items;

    /// <summary>The header part after '?', or null.</summary>
    public string? Headers { get; }

    internal SipParameters Params { get; }

    /// <summary>True for sips.</summary>
    public bool IsSecure => Scheme == "sips";

    /// <summary>The value of a URI parameter, or null.</summary>
    public string? GetParameter(string name) => Params.Get(name);

    /// <summary>
    /// The value of a header field carried in the URI (<c>?Subject=hi&amp;Priority=urgent</c>), as written (escapes intact),
    /// matched case-insensitively by name; null when absent.
    /// </summary>
    public string? GetHeaderField(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Headers is null)
        {
            return null;
        }

        foreach (var range in Headers.AsSpan().Split('&'))
        {
            var field = Headers.AsSpan()[range];
            var eq = field.IndexOf('=');
            var fieldName = eq >= 0 ? field[..eq] : field;
            if (fieldName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return eq >= 0 ? field[(eq + 1)..].ToString() : "";
            }
        }

        return null;
    }

    /// <summary>True if the URI has the parameter (with or without value).</summary>
    public bool HasParameter(string name) => Params.Contains(name);

    /// <summary>Makes a URI from parts.</summary>
    public static SipUri Create(string? user, string host, int? port = null, string scheme = "sip")
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        return new SipUri(scheme, user, null, host, port, new SipParameters(), null);
    }

    /// <summary>Makes a sip URI for an IP endpoint.</summary>
    public static SipUri Create(string? user, IPEndPoint endPoint) =>
        Create(user, endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + endPoint.Address + "]" : endPoint.Address.ToString(), endPoint.Port);

    /// <summary>Parses a SIP URI; throws <see cref="FormatException"/> naming the problem.</summary>
    public static SipUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var uri, out var error) ? uri : throw new FormatException($"Invalid SIP URI '{text}': {error}");
    }

    /// <summary>Parses a SIP URI without throwing.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SipUri? uri) => TryParse(text, out uri, out _);

    internal static bool TryParse(string text, [NotNullWhen(true)] out SipUri? uri, out string? error)
    {
        uri = null;
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !IsValidScheme(text.AsSpan(0, colon)))
        {
            error = "missing or invalid scheme";
            return false;
        }

        var scheme = text[..colon].ToLowerInvariant();
        if (scheme is not ("sip" or "sips"))
        {
            error = $"unsupported URI scheme '{scheme}'";
            return false;
        }

        foreach (var c in text)
        {
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f)
            {
                error = c <= ' ' ? "whitespace or control character in URI" : $"invalid character '{c}' in URI";
                return false;
            }
        }

        var rest = text[(colon + 1)..];
        string? user = null, password = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var pc = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (pc >= 0)
            {
                password = userInfo[(pc + 1)..];
                userInfo = userInfo[..pc];
            }

            if (userInfo.Length == 0)
            {
                error = "empty user part";
                return false;
            }

            user = userInfo;
        }

        string? headers = null;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            headers = rest[(q + 1)..];
            rest = rest[..q];
        }

        var semi = rest.IndexOf(';', StringComparison.Ordinal);
        var hostPort = semi >= 0 ? rest[..semi] : rest;
        var paramText = semi >= 0 ? rest[(semi + 1)..] : null;
        if (!TryParseHostPort(hostPort, out var host, out var port, out error))
        {
            return false;
        }

        var parameters = new SipParameters();
        if (paramText is not null)
        {
            foreach (var p in paramText.Split(';'))
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = eq >= 0 ? p[..eq] : p;
                if (name.Length == 0)
                {
                    error = "empty URI parameter";
                    return false;
                }

                parameters.Set(name, eq >= 0 ? p[(eq + 1)..] : null);
            }
        }

        uri = new SipUri(scheme, user, password, host, port, parameters, headers);
        return true;
    }

    internal static bool IsValidScheme(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses <c>host [":" port]</c> where host may be an IPv6 reference.</summary>
    internal static bool TryParseHostPort(string text, out string host, out int? port, out string? error)
    {
        if (!TryValidateHostPort(text, out var hostLength, out port, out error))
        {
            host = "";
            return false;
        }

        host = hostLength == text.Length ? text : text[..hostLength];
        return true;
    }

    /// <summary>Checks <c>host [":" port]</c> without allocating (except to check an IPv6 reference); the host is the first <paramref name="hostLength"/> characters.</summary>
    internal static bool TryValidateHostPort(ReadOnlySpan<char> text, out int hostLength, out int? port, out string? error)
    {
        hostLength = 0;
        port = null;
        error = null;
        ReadOnlySpan<char> portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                error = "unterminated IPv6 reference";
                return false;
            }

            var inner = text[1..close];
            if (!IPAddress.TryParse(inner, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"invalid IPv6 address '{inner.ToString()}'";
                return false;
            }

            hostLength = close + 1;
            portText = text[(close + 1)..];
            if (portText.Length > 0 && portText[0] != ':')
            {
                error = "garbage after IPv6 reference";
                return false;
            }
        }
        else
        {
            var c = text.IndexOf(':');
            var host = c >= 0 ? text[..c] : text;
            portText = c >= 0 ? text[c..] : [];
            if (host.Length == 0)
            {
                error = "empty host";
                return false;
            }

            foreach (var ch in host)
            {
                if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_'))
                {
                    error = $"invalid character '{ch}' in host";
                    return false;
                }
            }

            hostLength = host.Length;
        }

        if (portText.Length > 0)
        {
            if (portText.Length < 2 || portText.Length > 6 || !int.TryParse(portText[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                error = $"invalid port '{portText[1..].ToString()}'";
                return false;
            }

            port = p;
        }

        return true;
    }

    /// <summary>Checks a sip/sips URI as <see cref="TryParse(string, out SipUri?, out string?)"/> does, without building it.</summary>
    internal static bool TryValidate(ReadOnlySpan<char> text, out string? error)
    {
        error = null;
        var colon = text.IndexOf(':');
        if (colon <= 0 || !IsValidScheme(text[..colon]))
        {
            error = "missing or invalid scheme";
            return false;
        }

        if (!IsSipScheme(text[..colon]))
        {
            error = $"unsupported URI scheme '{text[..colon].ToString().ToLowerInvariant()}'";
            return false;
        }

        var bad = text.IndexOfAny(NotInUri);
        if (bad >= 0)
        {
            var c = text[bad];
            error = c <= ' ' ? "whitespace or control character in URI" : $"invalid character '{c}' in URI";
            return false;
        }

        var rest = text[(colon + 1)..];
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var pc = userInfo.IndexOf(':');
            if (pc >= 0)
            {
                userInfo = userInfo[..pc];
            }

            if (userInfo.Length == 0)
            {
                error = "empty user part";
                return false;
            }
        }

        var q = rest.IndexOf('?');
        if (q >= 0)
        {
            rest = rest[..q];
        }

        var semi = rest.IndexOf(';');
        var hostPort = semi >= 0 ? rest[..semi] : rest;
        if (!TryValidateHostPort(hostPort, out _, out _, out error))
        {
            return false;
        }

        if (semi >= 0)
        {
            var paramText = rest[(semi + 1)..];
            while (true)
            {
                var next = paramText.IndexOf(';');
                var p = next >= 0 ? paramText[..next] : paramText;
                var eq = p.IndexOf('=');
                if ((eq >= 0 ? eq : p.Length) == 0)
                {
                    error = "empty URI parameter";
                    return false;
                }

                if (next < 0)
                {
                    break;
                }

                paramText = paramText[(next + 1)..];
            }
        }

        return true;
    }

    /// <summary>Characters that never appear in a SIP URI unescaped: controls, space, &lt; &gt; " and DEL.</summary>
    private static readonly SearchValues<char> NotInUri = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f <>\"\u007f");

    /// <summary>True for "sip" or "sips" in any case.</summary>
    internal static bool IsSipScheme(ReadOnlySpan<char> scheme) =>
        scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the URI in its textual form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(Scheme).Append(':');
        if (User is not null)
        {
            sb.Append(User);
            if (Password is not null)
            {
                sb.Append(':').Append(Password);
            }

            sb.Append('@');
        }

        sb.Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        Params.WriteTo(sb);
        if (Headers is not null)
        {
            sb.Append('?').Append(Headers);
        }

        return sb.ToString();
    }

    /// <summary>A copy with the parameter set (or added).</summary>
    public SipUri WithParameter(string name, string? value)
    {
        var p = Params.Clone();
        p.Set(name, value);
        return new SipUri(Scheme, User, Password, Host, Port, p, Headers);
    }

    /// <summary>A copy without URI headers (what a request line may carry).</summary>
    public SipUri WithoutHeaders() => new(Scheme, User, Password, Host, Port, Params.Clone(), null);

    /// <summary>
    /// URI equivalence per RFC 3261 §19.1.4: user and password compared unescaped and case-sensitively, host
    /// case-insensitively, ports must both be absent or equal, user/ttl/method/maddr/transport must match when either
    /// side has them, other parameters only when both do, headers must all match.
    /// </summary>
    public bool IsEquivalentTo(SipUri other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Scheme != other.Scheme || Unescape(User) != Unescape(other.User) || Unescape(Password) != Unescape(other.Password) ||
            !string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) || Port != other.Port)
        {
            return false;
        }

        foreach (var name in (string[])["user", "ttl", "method", "maddr", "transport"])
        {
            if (HasParameter(name) != other.HasParameter(name) ||
                !string.Equals(Unescape(GetParameter(name)), Unescape(other.GetParameter(name)), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (var (k, v) in Params.Items)
        {
            if (other.HasParameter(k) && !string.Equals(Unescape(v), Unescape(other.GetParameter(k)), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return string.Equals(Unescape(Headers), Unescape(other.Headers), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Decodes %HH escapes (as UTF-8); null stays null.</summary>
    internal static string? Unescape(string? s)
    {
        if (s is null || !s.Contains('%', StringComparison.Ordinal))
        {
            return s;
        }

        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && i + 2 < s.Length && Uri.IsHexDigit(s[i + 1]) && Uri.IsHexDigit(s[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The host as an IP address, if it is one.</summary>
    internal IPAddress? HostAddress => IPAddress.TryParse(Host.Trim('[', ']'), out var a) ? a : null;
}
