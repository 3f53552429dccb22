using System.Globalization;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// Parses one SIP message from bytes (RFC 3261 §7, §25): tolerant of LWS, folding, compact names and odd case
/// as RFC 4475 §3.1.1 asks, strict about what §3.1.2 says to reject. Never throws on wire input: the result carries
/// a <see cref="SipParseError"/> naming the header and the problem, and, when the headers could be read, the
/// partially parsed message so a UAS can still answer it with 400.
/// </summary>
internal static class SipParser
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>Parses <paramref name="data"/>. Returns the message (null for garbage); <paramref name="error"/> is null only when the message is valid.</summary>
    public static SipMessage? Parse(ReadOnlySpan<byte> data, out SipParseError? error)
    {
        try
        {
            return ParseCore(data, out error);
        }
        catch (SipParseException ex)
        {
            error = new SipParseError(ex.Header, ex.Reason);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            error = new SipParseError("", "unparseable: " + ex.Message);
            return null;
        }
    }

    private static SipMessage? ParseCore(ReadOnlySpan<byte> data, out SipParseError? error)
    {
        error = null;

        // RFC 3261 §7.5: ignore CRLFs before the start line (keep-alives).
        var skip = 0;
        while (skip < data.Length && (data[skip] == '\r' || data[skip] == '\n'))
        {
            skip++;
        }

        data = data[skip..];
        if (data.Length == 0)
        {
            error = new SipParseError("", "empty datagram");
            return null;
        }

        var headerEnd = data.IndexOf(HeaderEnd);
        int bodyStart;
        SipParseError? truncated = null;
        if (headerEnd >= 0)
        {
            bodyStart = headerEnd + 4;
        }
        else
        {
            var lf = data.IndexOf("\n\n"u8);
            if (lf >= 0)
            {
                headerEnd = lf;
                bodyStart = lf + 2;
            }
            else
            {
                headerEnd = data.Length;
                bodyStart = data.Length;
                truncated = new SipParseError("", "message truncated: no empty line after the headers");
            }
        }

        var head = data[..headerEnd];
        var firstNl = head.IndexOf((byte)'\n');
        var startBytes = firstNl < 0 ? head : head[..firstNl];
        if (!startBytes.IsEmpty && startBytes[^1] == '\r')
        {
            startBytes = startBytes[..^1];
        }

        if (startBytes.IsEmpty)
        {
            error = new SipParseError("", "no start line");
            return null;
        }

        var message = ParseStartLine(Encoding.UTF8.GetString(startBytes), out var startError);
        if (message is null)
        {
            error = startError;
            return null;
        }

        error = startError;
        var rest = firstNl < 0 ? ReadOnlySpan<byte>.Empty : head[(firstNl + 1)..];
        char[]? rented = null;
        Span<char> stackBuffer = stackalloc char[1024];
        try
        {
            while (!rest.IsEmpty)
            {
                // One logical header line: a physical line plus its folded continuations (lines starting with SP/HT).
                var end = rest.IndexOf((byte)'\n');
                while (end >= 0 && end + 1 < rest.Length && (rest[end + 1] == ' ' || rest[end + 1] == '\t'))
                {
                    var next = rest[(end + 1)..].IndexOf((byte)'\n');
                    end = next < 0 ? -1 : end + 1 + next;
                }

                var logical = end < 0 ? rest : rest[..end];
                rest = end < 0 ? ReadOnlySpan<byte>.Empty : rest[(end + 1)..];
                var max = Encoding.UTF8.GetMaxCharCount(logical.Length);
                var chars = stackBuffer;
                if (max > chars.Length)
                {
                    if (rented is null || rented.Length < max)
                    {
                        if (rented is not null)
                        {
                            System.Buffers.ArrayPool<char>.Shared.Return(rented);
                        }

                        rented = System.Buffers.ArrayPool<char>.Shared.Rent(max);
                    }

                    chars = rented;
                }

                var n = Encoding.UTF8.GetChars(logical, chars);
                var line = Unfold(chars[..n]);
                if (line.IsEmpty)
                {
                    continue;
                }

                var colon = line.IndexOf(':');
                var name = colon > 0 ? line[..colon].TrimEnd(" \t") : [];
                if (name.IsEmpty || !IsToken(name))
                {
                    error ??= new SipParseError("", $"malformed header line '{Shorten(line.ToString())}'");
                    continue;
                }

                message.AddHeader(SipHeaderNames.Normalize(name), new string(line[(colon + 1)..].Trim(" \t")));
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }

        error ??= truncated;
        if (error is null)
        {
            try
            {
                message.Validate();
            }
            catch (SipParseException ex)
            {
                error = new SipParseError(ex.Header, ex.Reason);
            }
        }

        var available = data.Length - bodyStart;
        int? contentLength = null;
        try
        {
            contentLength = message.ContentLength;
        }
        catch (SipParseException ex)
        {
            error ??= new SipParseError(ex.Header, ex.Reason);
        }

        if (contentLength is { } cl)
        {
            if (cl > available)
            {
                error ??= new SipParseError(SipHeaderNames.ContentLength, $"{cl} is larger than the {available} body bytes received");
                cl = available;
            }

            message.Body = data.Slice(bodyStart, cl).ToArray();
        }
        else
        {
            message.Body = available > 0 ? data[bodyStart..].ToArray() : [];
        }

        if (error is null && message is SipRequest req && req.Version != "SIP/2.0")
        {
            error = new SipParseError("", $"unsupported version {req.Version}", 505);
        }

        return message;
    }

    private static SipMessage? ParseStartLine(string line, out SipParseError? error)
    {
        error = null;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
            var sp1 = line.IndexOf(' ', StringComparison.Ordinal);
            if (sp1 < 0)
            {
                error = new SipParseError("", "malformed status line");
                return null;
            }

            var rest = line[(sp1 + 1)..];
            var sp2 = rest.IndexOf(' ', StringComparison.Ordinal);
            var codeText = sp2 < 0 ? rest : rest[..sp2];
            if (codeText.Length != 3 || !int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 100 || code > 699)
            {
                error = new SipParseError("", $"invalid status code '{Shorten(codeText)}'");
                return null;
            }

            return new SipResponse(code, sp2 < 0 ? "" : rest[(sp2 + 1)..]) { Version = line[..sp1].ToUpperInvariant() };
        }

        if (parts.Length < 2 || !IsToken(parts[0]))
        {
            error = new SipParseError("", "malformed start line");
            return null;
        }

        var method = parts[0];
        var uriText = parts[1];
        SipUri? uri = null;
        if (parts.Length != 3)
        {
            error = new SipParseError("", "malformed Request-Line (whitespace inside the Request-URI?)");
        }
        else if (!parts[2].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            error = new SipParseError("", $"malformed SIP version '{Shorten(parts[2])}'");
        }

        var colon = uriText.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !SipUri.IsValidScheme(uriText.AsSpan(0, colon)))
        {
            error ??= new SipParseError("", $"invalid Request-URI '{Shorten(uriText)}'");
        }
        else if (uriText[..colon].ToLowerInvariant() is "sip" or "sips")
        {
            if (!SipUri.TryParse(uriText, out uri, out var uriError))
            {
                error ??= new SipParseError("", $"invalid Request-URI: {uriError}");
            }
        }

        return new SipRequest(method, uriText, uri) { Version = parts.Length > 2 ? parts[2].ToUpperInvariant() : "SIP/2.0" };
    }

    /// <summary>Unfolds a logical line in place: CR is dropped, each LF plus the SP/HT after it becomes one space.</summary>
    private static Span<char> Unfold(Span<char> line)
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

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!SipScanner.IsTokenChar(c))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
