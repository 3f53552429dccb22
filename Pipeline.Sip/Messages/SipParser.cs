using System.Buffers;
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

    /// <summary>Parses <paramref name="data"/> (copied into the message). Returns the message (null for garbage); <paramref name="error"/> is null only when the message is valid.</summary>
    public static SipMessage? Parse(ReadOnlySpan<byte> data, out SipParseError? error)
    {
        // RFC 3261 §7.5: ignore CRLFs before the start line (keep-alives).
        var skip = data.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        if (skip < 0)
        {
            error = new SipParseError("", "empty datagram");
            return null;
        }

        return ParseOwned(data[skip..].ToArray(), out error);
    }

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte}, out SipParseError?)"/> for a message in several segments (a pipe's buffer).</summary>
    public static SipMessage? Parse(in ReadOnlySequence<byte> data, out SipParseError? error)
    {
        if (data.IsSingleSegment)
        {
            return Parse(data.FirstSpan, out error);
        }

        return Parse(data.ToArray(), out error);
    }

    /// <summary>
    /// Parses a message that starts at index 0 of <paramref name="owned"/> and fills it; the message keeps the array
    /// (no copy), so the caller must not change or reuse it afterwards.
    /// </summary>
    public static SipMessage? ParseOwned(byte[] owned, out SipParseError? error)
    {
        ArgumentNullException.ThrowIfNull(owned);
        try
        {
            return ParseCore(owned, out error);
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

    private static SipMessage? ParseCore(byte[] raw, out SipParseError? error)
    {
        error = null;
        ReadOnlySpan<byte> data = raw;
        var skip = data.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        if (skip < 0)
        {
            error = new SipParseError("", "empty datagram");
            return null;
        }

        var headerEnd = data[skip..].IndexOf(HeaderEnd);
        headerEnd = headerEnd < 0 ? -1 : headerEnd + skip;
        int bodyStart;
        SipParseError? truncated = null;
        if (headerEnd >= 0)
        {
            bodyStart = headerEnd + 4;
        }
        else
        {
            var lf = data[skip..].IndexOf("\n\n"u8);
            lf = lf < 0 ? -1 : lf + skip;
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
        var firstNl = head[skip..].IndexOf((byte)'\n');
        firstNl = firstNl < 0 ? -1 : firstNl + skip;
        var startEnd = firstNl < 0 ? head.Length : firstNl;
        if (startEnd > skip && head[startEnd - 1] == '\r')
        {
            startEnd--;
        }

        if (startEnd == skip)
        {
            error = new SipParseError("", "no start line");
            return null;
        }

        var message = ParseStartLine(raw, skip, startEnd - skip, out var startError);
        if (message is null)
        {
            error = startError;
            return null;
        }

        error = startError;
        var pos = firstNl < 0 ? headerEnd : firstNl + 1;
        message.ReserveHeaders(head[pos..].Count((byte)'\n') + 1);
        while (pos < headerEnd)
        {
            // One logical header line: a physical line plus its folded continuations (lines starting with SP/HT).
            var rest = head[pos..];
            var end = rest.IndexOf((byte)'\n');
            var folded = false;
            while (end >= 0 && end + 1 < rest.Length && (rest[end + 1] == ' ' || rest[end + 1] == '\t'))
            {
                folded = true;
                var next = rest[(end + 1)..].IndexOf((byte)'\n');
                end = next < 0 ? -1 : end + 1 + next;
            }

            var lineStart = pos;
            var lineLength = end < 0 ? rest.Length : end;
            pos = end < 0 ? headerEnd : pos + end + 1;
            var line = raw.AsSpan(lineStart, lineLength);
            if (line.TrimEnd("\r\n"u8).IsEmpty)
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var name = colon > 0 ? line[..colon].TrimEnd(" \t"u8) : [];
            if (name.IsEmpty || !IsToken(name))
            {
                error ??= new SipParseError("", $"malformed header line '{Shorten(Encoding.UTF8.GetString(line).Trim())}'");
                continue;
            }

            // The value without the LWS (and CR/LF of folding) at either end; folding inside is undone when it is read.
            var value = line[(colon + 1)..];
            var lead = value.IndexOfAnyExcept(" \t\r\n"u8);
            if (lead < 0)
            {
                value = [];
                lead = 0;
            }
            else
            {
                value = value[lead..].TrimEnd(" \t\r\n"u8);
            }

            folded = folded || value.IndexOfAny((byte)'\r', (byte)'\n') >= 0;
            message.AddRawHeader(SipHeaderNames.Identify(name), lineStart, name.Length, lineStart + colon + 1 + lead, value.Length, folded);
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

            message.SetRawBody(bodyStart, cl);
        }
        else
        {
            message.SetRawBody(bodyStart, available);
        }

        if (error is null && message is SipRequest req && req.Version != "SIP/2.0")
        {
            error = new SipParseError("", $"unsupported version {req.Version}", 505);
        }

        return message;
    }

    private static SipMessage? ParseStartLine(byte[] raw, int start, int length, out SipParseError? error)
    {
        error = null;
        var line = raw.AsSpan(start, length);
        if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8))
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
            var sp1 = line.IndexOf((byte)' ');
            if (sp1 < 0)
            {
                error = new SipParseError("", "malformed status line");
                return null;
            }

            var rest = line[(sp1 + 1)..];
            var sp2 = rest.IndexOf((byte)' ');
            var codeText = sp2 < 0 ? rest : rest[..sp2];
            if (codeText.Length != 3 || !int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 100 || code > 699)
            {
                error = new SipParseError("", $"invalid status code '{Shorten(Encoding.UTF8.GetString(codeText))}'");
                return null;
            }

            var reasonStart = sp2 < 0 ? start + length : start + sp1 + 1 + sp2 + 1;
            return new SipResponse(code, raw, reasonStart, start + length - reasonStart) { Version = VersionString(line[..sp1]) };
        }

        // Request-Line = Method SP Request-URI SP SIP-Version (runs of spaces tolerated, as before).
        Span<Range> parts = stackalloc Range[4];
        var count = Split(line, parts);
        if (count < 2 || !IsToken(line[parts[0]]))
        {
            error = new SipParseError("", "malformed start line");
            return null;
        }

        var methodBytes = line[parts[0]];
        var method = SipRequest.InternMethod(methodBytes) ?? Encoding.ASCII.GetString(methodBytes);
        var uriBytes = line[parts[1]];
        if (count != 3)
        {
            error = new SipParseError("", "malformed Request-Line (whitespace inside the Request-URI?)");
        }
        else if (!(line[parts[2]].Length >= 4 && Ascii.EqualsIgnoreCase(line[parts[2]][..4], "SIP/"u8)))
        {
            error = new SipParseError("", $"malformed SIP version '{Shorten(Encoding.UTF8.GetString(line[parts[2]]))}'");
        }

        var sipUri = false;
        Span<char> chars = stackalloc char[512];
        var uriChars = uriBytes.Length <= chars.Length ? chars[..Encoding.UTF8.GetChars(uriBytes, chars)] : Encoding.UTF8.GetString(uriBytes).AsSpan();
        var colon = uriChars.IndexOf(':');
        if (colon <= 0 || !SipUri.IsValidScheme(uriChars[..colon]))
        {
            error ??= new SipParseError("", $"invalid Request-URI '{Shorten(uriChars.ToString())}'");
        }
        else if (SipUri.IsSipScheme(uriChars[..colon]))
        {
            if (SipUri.TryValidate(uriChars, out var uriError))
            {
                sipUri = true;
            }
            else
            {
                error ??= new SipParseError("", $"invalid Request-URI: {uriError}");
            }
        }

        return new SipRequest(method, raw, start + parts[1].Start.Value, uriBytes.Length, sipUri)
        {
            Version = count > 2 ? VersionString(line[parts[2]]) : "SIP/2.0",
        };
    }

    /// <summary>Splits at runs of spaces into at most <paramref name="parts"/>.Length ranges; returns how many parts there are (counting beyond the span's room as one more).</summary>
    private static int Split(ReadOnlySpan<byte> line, Span<Range> parts)
    {
        var n = 0;
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ')
            {
                i++;
                continue;
            }

            var s = i;
            while (i < line.Length && line[i] != ' ')
            {
                i++;
            }

            if (n < parts.Length)
            {
                parts[n] = s..i;
            }

            n++;
        }

        return n;
    }

    private static string VersionString(ReadOnlySpan<byte> version) =>
        Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8) ? "SIP/2.0" : Encoding.UTF8.GetString(version).ToUpperInvariant();

    /// <summary>RFC 3261 token characters: alphanum and <c>-.!%*_+`'~</c>.</summary>
    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"u8);

    private static bool IsToken(ReadOnlySpan<byte> s) => s.Length > 0 && s.IndexOfAnyExcept(TokenBytes) < 0;

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
