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
    public static SipMessage? ParseOwned(byte[] owned, out SipParseError? error) => ParseOwned(owned, out error, fastPath: true);

    /// <summary>
    /// As <see cref="ParseOwned(byte[], out SipParseError?)"/>; <paramref name="fastPath"/> false skips the byte-level
    /// recognisers (<see cref="SipFastValidator"/>) and always runs the full validation, which must give the same result
    /// (tests compare the two).
    /// </summary>
    internal static SipMessage? ParseOwned(byte[] owned, out SipParseError? error, bool fastPath)
    {
        ArgumentNullException.ThrowIfNull(owned);
        try
        {
            return ParseCore(owned, fastPath, out error);
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

    private static SipMessage? ParseCore(byte[] raw, bool fastPath, out SipParseError? error)
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

        var message = ParseStartLine(raw, skip, startEnd - skip, fastPath, out var startError);
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
            // One search per physical line finds its end; a CR not followed by LF is noted (the value is then unfolded when read).
            var lineStart = pos;
            var folded = false;
            var loneCr = false;
            var lineEnd = headerEnd;
            for (var i = pos; ;)
            {
                var k = head[i..].IndexOfAny((byte)'\r', (byte)'\n');
                if (k < 0)
                {
                    break;
                }

                var nl = i + k;
                if (head[nl] == '\r')
                {
                    if (nl + 1 < headerEnd && head[nl + 1] == '\n')
                    {
                        nl++;
                    }
                    else
                    {
                        loneCr = true;
                        i = nl + 1;
                        continue;
                    }
                }

                if (nl + 1 < headerEnd && head[nl + 1] is (byte)' ' or (byte)'\t')
                {
                    folded = true;
                    i = nl + 1;
                    continue;
                }

                lineEnd = nl;
                break;
            }

            pos = lineEnd == headerEnd ? headerEnd : lineEnd + 1;

            // The line without its LF and the CR before it (the value's trim would drop that CR anyway).
            var contentEnd = lineEnd > lineStart && head[lineEnd - 1] == '\r' && lineEnd < headerEnd ? lineEnd - 1 : lineEnd;
            var line = head[lineStart..contentEnd];
            if (line.IsEmpty || (line[^1] is (byte)'\r' or (byte)'\n' && line.TrimEnd("\r\n"u8).IsEmpty))
            {
                continue;
            }

            // name = token, then optional SP/HT, then ':'.
            var nameLength = 0;
            while (nameLength < line.Length && (SipFastValidator.Classes[line[nameLength]] & SipFastValidator.Token) != 0)
            {
                nameLength++;
            }

            var colon = nameLength;
            while (colon < line.Length && line[colon] is (byte)' ' or (byte)'\t')
            {
                colon++;
            }

            if (nameLength == 0 || colon >= line.Length || line[colon] != ':')
            {
                error ??= new SipParseError("", $"malformed header line '{Shorten(Encoding.UTF8.GetString(line).Trim())}'");
                continue;
            }

            // The value without the LWS (and CR/LF of folding) at either end; folding inside is undone when it is read.
            var valueStart = colon + 1;
            var valueEnd = line.Length;
            while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueStart++;
            }

            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueEnd--;
            }

            folded = folded || (loneCr && line[valueStart..valueEnd].IndexOfAny((byte)'\r', (byte)'\n') >= 0);
            message.AddRawHeader(SipHeaderNames.Identify(line[..nameLength]), lineStart, nameLength, lineStart + valueStart, valueEnd - valueStart, folded);
        }

        error ??= truncated;
        var available = data.Length - bodyStart;
        int? contentLength = null;
        if (error is null && fastPath && message.TryValidateFast(out var fastLength))
        {
            // The everyday shapes of every header the stack relies on, checked on the bytes.
            contentLength = fastLength < 0 ? null : fastLength;
        }
        else
        {
            // Something unusual (or wrong): the full check names the problem.
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

            try
            {
                contentLength = message.ContentLength;
            }
            catch (SipParseException ex)
            {
                error ??= new SipParseError(ex.Header, ex.Reason);
            }
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

    private static SipMessage? ParseStartLine(byte[] raw, int start, int length, bool fastPath, out SipParseError? error)
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

        // The everyday request line: Method SP sip-URI SP "SIP/2.0", single spaces.
        var sp = fastPath ? line.IndexOf((byte)' ') : -1;
        if (sp > 0)
        {
            var afterMethod = line[(sp + 1)..];
            var sp2 = afterMethod.IndexOf((byte)' ');
            if (sp2 > 0 && afterMethod[(sp2 + 1)..].SequenceEqual("SIP/2.0"u8) && IsToken(line[..sp]) && SipFastValidator.IsSipUri(afterMethod[..sp2]))
            {
                var m = line[..sp];
                return new SipRequest(SipRequest.InternMethod(m) ?? Encoding.ASCII.GetString(m), raw, start + sp + 1, sp2, sipUri: true);
            }
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
