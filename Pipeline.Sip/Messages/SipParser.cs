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

        var head = Encoding.UTF8.GetString(data[..headerEnd]);
        var lines = SplitLines(head);
        if (lines.Count == 0)
        {
            error = new SipParseError("", "no start line");
            return null;
        }

        var message = ParseStartLine(lines[0], out var startError);
        if (message is null)
        {
            error = startError;
            return null;
        }

        error = startError;
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon].TrimEnd(' ', '\t') : "";
            if (name.Length == 0 || !IsToken(name))
            {
                error ??= new SipParseError("", $"malformed header line '{Shorten(line)}'");
                continue;
            }

            message.AddHeader(SipHeaderNames.Normalize(name), line[(colon + 1)..].Trim(' ', '\t'));
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

    /// <summary>Splits the header block into logical lines, unfolding continuation lines (LWS) into one space.</summary>
    private static List<string> SplitLines(string head)
    {
        var lines = new List<string>(24);
        StringBuilder? folded = null;
        string? current = null;
        var rest = head.AsSpan();
        while (true)
        {
            var nl = rest.IndexOf('\n');
            var line = nl < 0 ? rest : rest[..nl];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (current is not null && line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                // Folded continuation (LWS): joins the previous line with one space.
                folded ??= new StringBuilder();
                if (folded.Length == 0)
                {
                    folded.Append(current);
                }

                folded.Append(' ').Append(line.TrimStart(" \t"));
            }
            else
            {
                Flush(lines, ref current, folded);
                current = line.ToString();
            }

            if (nl < 0)
            {
                break;
            }

            rest = rest[(nl + 1)..];
        }

        Flush(lines, ref current, folded);
        return lines;

        static void Flush(List<string> lines, ref string? current, StringBuilder? folded)
        {
            if (current is null)
            {
                return;
            }

            if (folded is { Length: > 0 })
            {
                lines.Add(folded.ToString());
                folded.Clear();
            }
            else
            {
                lines.Add(current);
            }

            current = null;
        }
    }

    private static bool IsToken(string s)
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
