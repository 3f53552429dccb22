using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>Minimal multipart/* body reader (RFC 2046 §5.1): splits at the boundary and reads each part's Content-Type.</summary>
internal static class SipMultipart
{
    /// <summary>The boundary parameter of a multipart Content-Type header value (quotes and escapes removed), or null.</summary>
    public static string? Boundary(string contentTypeHeader)
    {
        ArgumentNullException.ThrowIfNull(contentTypeHeader);
        var v = contentTypeHeader.AsSpan();
        var i = 0;
        while (i < v.Length)
        {
            // Find the next ';' outside a quoted string.
            var inQuote = false;
            for (; i < v.Length && (inQuote || v[i] != ';'); i++)
            {
                if (inQuote && v[i] == '\\')
                {
                    i++;
                }
                else if (v[i] == '"')
                {
                    inQuote = !inQuote;
                }
            }

            if (i >= v.Length)
            {
                return null;
            }

            var p = v[(i + 1)..];
            var eq = p.IndexOf('=');
            i++;
            if (eq <= 0 || !p[..eq].Trim(" \t\r\n").Equals("boundary", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = p[(eq + 1)..].TrimStart(" \t\r\n");
            if (value.StartsWith('"'))
            {
                var sb = new StringBuilder();
                for (var k = 1; k < value.Length; k++)
                {
                    if (value[k] == '\\' && k + 1 < value.Length)
                    {
                        sb.Append(value[++k]);
                    }
                    else if (value[k] == '"')
                    {
                        return sb.ToString();
                    }
                    else
                    {
                        sb.Append(value[k]);
                    }
                }

                return null; // unterminated quote
            }

            var semi = value.IndexOf(';');
            var b = (semi >= 0 ? value[..semi] : value).Trim(" \t\r\n");
            return b.IsEmpty ? null : b.ToString();
        }

        return null;
    }

    /// <summary>
    /// Splits a multipart body into (content type, content) parts; false when it is not well formed. A delimiter is
    /// "--boundary" at the start of a line (RFC 2046 §5.1.1), so the boundary text inside a part does not split it.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> body, string boundary, out List<(string? ContentType, byte[] Content)> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(boundary);
        parts = [];
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        int start;
        if (body.StartsWith(delimiter.AsSpan(2)))
        {
            start = 0;
        }
        else
        {
            start = body.IndexOf(delimiter);
            if (start < 0)
            {
                return false;
            }

            start += 2;
        }

        var dashBoundary = delimiter.AsSpan(2);
        var rest = body[(start + dashBoundary.Length)..];
        while (true)
        {
            if (rest.StartsWith("--"u8))
            {
                return parts.Count > 0; // close delimiter
            }

            var lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return false;
            }

            rest = rest[(lineEnd + 2)..]; // past the transport padding and CRLF after the delimiter
            int partLength, skip;
            if (rest.StartsWith(dashBoundary))
            {
                (partLength, skip) = (0, dashBoundary.Length);
            }
            else
            {
                var next = rest.IndexOf(delimiter);
                if (next < 0)
                {
                    return false;
                }

                (partLength, skip) = (next, next + delimiter.Length);
            }

            var part = rest[..partLength];
            string? contentType = "text/plain";
            ReadOnlySpan<byte> content;
            if (part.IsEmpty || part.StartsWith("\r\n"u8))
            {
                content = part.IsEmpty ? [] : part[2..];
            }
            else
            {
                var headerEnd = part.IndexOf("\r\n\r\n"u8);
                var headers = headerEnd >= 0 ? part[..headerEnd] : part;
                content = headerEnd >= 0 ? part[(headerEnd + 4)..] : [];
                var text = Encoding.UTF8.GetString(headers).Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
                foreach (var line in text.Split("\r\n"))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        return false; // not a header line: the part has no header/body separator
                    }

                    if (SipHeaderNames.Normalize(line[..colon].Trim()) == SipHeaderNames.ContentType)
                    {
                        contentType = line[(colon + 1)..].Split(';')[0].Trim().ToLowerInvariant();
                    }
                }
            }

            parts.Add((contentType, content.ToArray()));
            rest = rest[skip..];
        }
    }

    /// <summary>The first part of type <paramref name="wanted"/> in a multipart body, or null.</summary>
    public static byte[]? FindPart(ReadOnlySpan<byte> body, string contentTypeHeader, string wanted)
    {
        if (Boundary(contentTypeHeader) is not { } b || !TrySplit(body, b, out var parts))
        {
            return null;
        }

        foreach (var (ct, content) in parts)
        {
            if (string.Equals(ct, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return content;
            }
        }

        return null;
    }
}
