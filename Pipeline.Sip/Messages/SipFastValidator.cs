using System.Buffers;

namespace Pipeline.Sip.Messages;

/// <summary>
/// Byte-level recognisers for the everyday shapes of the headers the parser validates (Request-URI, Via, name-addr,
/// CSeq, numbers, media type). Each answers "certainly valid" or "not sure": true only for text the full validators
/// (<see cref="SipUri.TryValidate"/>, <see cref="SipVia.Validate"/>, <see cref="SipNameAddr.Validate"/>,
/// <see cref="SipCSeq.Validate"/>…) accept, so a false only sends the message down the full (char-based) validation,
/// which finds and names the problem exactly as before. Anything unusual (non-ASCII, quoted parameter values, escapes
/// in quoted strings, IPv6 references, LWS where the grammar merely tolerates it) is "not sure".
/// </summary>
internal static class SipFastValidator
{
    /// <summary>RFC 3261 token characters.</summary>
    internal static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"u8);

    /// <summary>An unquoted generic-param value: token characters and a host's ':' '[' ']'.</summary>
    internal static readonly SearchValues<byte> ParamValueBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~:[]"u8);

    /// <summary>Host name or IPv4 characters.</summary>
    internal static readonly SearchValues<byte> HostBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"u8);

    /// <summary>What may appear in a URI on the fast path: printable ASCII except space, &lt; &gt; and ".</summary>
    internal static readonly SearchValues<byte> UriBytes = SearchValues.Create(
        "!#$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>Scheme characters after the first letter.</summary>
    internal static readonly SearchValues<byte> SchemeBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."u8);

    /// <summary>A quoted display name's inside on the fast path: printable ASCII and SP/HT, without '"' and '\'.</summary>
    internal static readonly SearchValues<byte> QuotedBytes = SearchValues.Create(
        " \t!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>Character classes by byte value, as bits (see <see cref="Token"/>…); the same sets as the SearchValues above (a test checks).</summary>
    internal static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, // 0x00
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10
        32, 43, 0, 40, 40, 43, 40, 43, 40, 40, 43, 59, 40, 63, 63, 40, // 0x20
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 42, 40, 32, 40, 32, 40, // 0x30
        40, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, // 0x40
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 42, 8, 42, 40, 47, // 0x50
        43, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, // 0x60
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 40, 40, 40, 43, 0, // 0x70
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x80
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x90
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xA0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xB0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xC0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xD0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xE0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xF0
    ];

    internal const byte Token = 1;
    internal const byte ParamValue = 2;
    internal const byte Host = 4;
    internal const byte Uri = 8;
    internal const byte Scheme = 16;
    internal const byte Quoted = 32;

    /// <summary>Length of the run at the start of <paramref name="s"/> of bytes in class <paramref name="cls"/> (values are short, so a table beats a vector search).</summary>
    internal static int Run(ReadOnlySpan<byte> s, byte cls)
    {
        var i = 0;
        while (i < s.Length && (Classes[s[i]] & cls) != 0)
        {
            i++;
        }

        return i;
    }

    public static bool IsTokenByte(byte b) => TokenBytes.Contains(b);

    /// <summary>True when <paramref name="s"/> is a token (non-empty, token characters only).</summary>
    public static bool IsToken(ReadOnlySpan<byte> s) => s.Length > 0 && Run(s, Token) == s.Length;

    /// <summary>Length of the token at the start of <paramref name="s"/> (0 if none).</summary>
    private static int TokenLength(ReadOnlySpan<byte> s) => Run(s, Token);

    private static int SkipSpaces(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }

        return i;
    }

    /// <summary>A sip/sips URI that <see cref="SipUri.TryValidate"/> accepts (printable ASCII only, no IPv6 reference).</summary>
    public static bool IsSipUri(ReadOnlySpan<byte> uri)
    {
        int colon;
        if (uri.Length > 4 && (uri[0] | 0x20) == 's' && (uri[1] | 0x20) == 'i' && (uri[2] | 0x20) == 'p')
        {
            if (uri[3] == ':')
            {
                colon = 3;
            }
            else if ((uri[3] | 0x20) == 's' && uri[4] == ':')
            {
                colon = 4;
            }
            else
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        var rest = uri[(colon + 1)..];
        if (rest.IndexOfAnyExcept(UriBytes) >= 0)
        {
            return false;
        }

        var at = rest.IndexOf((byte)'@');
        if (at >= 0)
        {
            // user [":" password] "@": the user part must not be empty.
            if (at == 0 || rest[0] == ':')
            {
                return false;
            }

            rest = rest[(at + 1)..];
        }

        var q = rest.IndexOf((byte)'?');
        if (q >= 0)
        {
            rest = rest[..q];
        }

        var semi = rest.IndexOf((byte)';');
        var hostPort = semi >= 0 ? rest[..semi] : rest;
        if (!IsHostPort(hostPort))
        {
            return false;
        }

        if (semi >= 0)
        {
            // Every ";name[=value]" needs a name.
            var p = rest[(semi + 1)..];
            while (true)
            {
                if (p.Length == 0 || p[0] == ';' || p[0] == '=')
                {
                    return false;
                }

                var next = p.IndexOf((byte)';');
                if (next < 0)
                {
                    break;
                }

                p = p[(next + 1)..];
            }
        }

        return true;
    }

    /// <summary><c>host [":" port]</c> with a host name or IPv4 address (IPv6 references are left to the full check).</summary>
    private static bool IsHostPort(ReadOnlySpan<byte> s)
    {
        var hostLength = Run(s, Host);
        if (hostLength == s.Length)
        {
            return s.Length > 0;
        }

        return hostLength > 0 && s[hostLength] == ':' && IsPort(s[(hostLength + 1)..]);
    }

    private static bool IsPort(ReadOnlySpan<byte> s)
    {
        if (s.Length is 0 or > 5)
        {
            return false;
        }

        var n = 0;
        foreach (var b in s)
        {
            var d = b - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            n = n * 10 + d;
        }

        return n <= 65535;
    }

    /// <summary>A URI of another scheme as the name-addr check accepts it: a valid scheme, no SP, HT or '"'.</summary>
    private static bool IsOtherUri(ReadOnlySpan<byte> uri)
    {
        if (uri.Length == 0 || !char.IsAsciiLetter((char)uri[0]))
        {
            return false;
        }

        var colon = uri.IndexOf((byte)':');
        return colon > 0 && Run(uri[1..colon], Scheme) == colon - 1 && uri.IndexOfAnyExcept(UriBytes) < 0;
    }

    /// <summary><c>*( ";" token [ "=" ( token / host ) ] )</c> up to the end, without LWS or quoted values.</summary>
    private static bool IsParameters(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] != ';')
            {
                return false;
            }

            i++;
            var n = TokenLength(s[i..]);
            if (n == 0)
            {
                return false;
            }

            i += n;
            if (i < s.Length && s[i] == '=')
            {
                i++;
                var v = Run(s[i..], ParamValue);
                if (v == 0)
                {
                    return false;
                }

                i += v;
            }
        }

        return true;
    }

    /// <summary>One Via value (split at commas) that <see cref="SipVia.Validate"/> accepts.</summary>
    public static bool IsVia(ReadOnlySpan<byte> s)
    {
        // sent-protocol = token "/" token "/" token, then LWS, then sent-by.
        var i = 0;
        for (var part = 0; part < 3; part++)
        {
            var n = TokenLength(s[i..]);
            if (n == 0)
            {
                return false;
            }

            i += n;
            if (part < 2)
            {
                if (i >= s.Length || s[i] != '/')
                {
                    return false;
                }

                i++;
            }
        }

        var sp = SkipSpaces(s, i);
        if (sp == i)
        {
            return false;
        }

        i = sp;
        var h = Run(s[i..], Host);
        if (h == 0)
        {
            return false;
        }

        i += h;
        if (i < s.Length && s[i] == ':')
        {
            i++;
            var p = i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            {
                i++;
            }

            if (!IsPort(s[p..i]))
            {
                return false;
            }
        }

        return IsParameters(s[i..]);
    }

    /// <summary>One name-addr or addr-spec with parameters (split at commas) that <see cref="SipNameAddr.Validate"/> accepts.</summary>
    public static bool IsNameAddr(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        var i = 0;
        if (s[0] == '"')
        {
            var q = Run(s[1..], Quoted);
            if (1 + q >= s.Length || s[1 + q] != '"')
            {
                return false;
            }

            i = SkipSpaces(s, q + 2);
        }
        else if (s[0] != '<')
        {
            if (s.IndexOf((byte)'<') < 0)
            {
                // addr-spec: the URI runs to the first ';' (no SP/HT, '?' or ',' in it), the rest are header params.
                var semi = s.IndexOf((byte)';');
                var spec = semi < 0 ? s : s[..semi];
                if (spec.IndexOfAny((byte)'?', (byte)',') >= 0 || !IsUri(spec))
                {
                    return false;
                }

                return semi < 0 || IsParameters(s[semi..]);
            }

            // Display name as tokens separated by SP/HT.
            while (i < s.Length && s[i] != '<')
            {
                var n = TokenLength(s[i..]);
                if (n == 0)
                {
                    return false;
                }

                i = SkipSpaces(s, i + n);
            }
        }

        if (i >= s.Length || s[i] != '<')
        {
            return false;
        }

        var close = s[(i + 1)..].IndexOf((byte)'>');
        if (close <= 0 || !IsUri(s.Slice(i + 1, close)))
        {
            return false;
        }

        return IsParameters(s[(i + 2 + close)..]);
    }

    private static bool IsUri(ReadOnlySpan<byte> uri) =>
        uri.Length > 3 && (uri[0] | 0x20) == 's' && (uri[1] | 0x20) == 'i' && (uri[2] | 0x20) == 'p' && (uri[3] == ':' || (uri[3] | 0x20) == 's')
            ? IsSipUri(uri)
            : IsOtherUri(uri) && !IsSipSchemeWithOddPrefix(uri);

    /// <summary>"sips..." that is not "sips:" (e.g. "sipsx:") is another scheme; "sip:"/"sips:" must go through the SIP check.</summary>
    private static bool IsSipSchemeWithOddPrefix(ReadOnlySpan<byte> uri)
    {
        var colon = uri.IndexOf((byte)':');
        var scheme = uri[..colon];
        return System.Text.Ascii.EqualsIgnoreCase(scheme, "sip"u8) || System.Text.Ascii.EqualsIgnoreCase(scheme, "sips"u8);
    }

    /// <summary>
    /// The next comma-separated element of a list value as <see cref="SipHeaderNames.NextListItem"/> splits it (commas inside
    /// quotes and &lt;&gt; do not split), trimmed of SP/HT/CR/LF.
    /// </summary>
    public static bool NextListItem(ReadOnlySpan<byte> value, ref int pos, out ReadOnlySpan<byte> item)
    {
        if (!SipHeaderNames.NextListRange(value, ref pos, out var start, out var end))
        {
            item = default;
            return false;
        }

        item = value[start..end].Trim(" \t\r\n"u8);
        return true;
    }

    /// <summary>CSeq as <c>1*DIGIT LWS Method</c> with a number up to 2**31-1; returns the method bytes.</summary>
    public static bool IsCSeq(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> method)
    {
        method = default;
        var i = 0;
        long n = 0;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            n = n * 10 + (s[i] - '0');
            if (n > int.MaxValue)
            {
                return false;
            }

            i++;
        }

        var sp = SkipSpaces(s, i);
        if (i == 0 || sp == i)
        {
            return false;
        }

        method = s[sp..];
        return IsToken(method);
    }

    /// <summary>A number of 1 to 9 digits that is at most <paramref name="max"/>.</summary>
    public static bool IsNumber(ReadOnlySpan<byte> s, int max, out int value)
    {
        value = 0;
        if (s.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var b in s)
        {
            var d = b - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = value * 10 + d;
        }

        return value <= max;
    }

    /// <summary><c>type "/" subtype</c> before any parameters, as <c>SipMessage.ValidateMediaType</c> checks it.</summary>
    public static bool IsMediaType(ReadOnlySpan<byte> v)
    {
        var semi = v.IndexOf((byte)';');
        var mt = semi >= 0 ? v[..semi] : v;
        if (mt.IndexOfAny(" \t\r\n"u8) < 0)
        {
            // No whitespace to skip (the usual case): a '/' with something on either side.
            var slash = mt.IndexOf((byte)'/');
            return slash > 0 && slash != mt.Length - 1;
        }

        var length = 0;
        var slashAt = -1;
        foreach (var c in mt)
        {
            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (c == '/' && slashAt < 0)
            {
                slashAt = length;
            }

            length++;
        }

        return slashAt > 0 && slashAt != length - 1;
    }
}
