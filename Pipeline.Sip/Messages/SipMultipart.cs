using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>Minimal multipart/* body reader (RFC 2046 §5.1): splits at the boundary and reads each part's Content-Type.</summary>
internal static class SipMultipart
{
    /// <summary>The boundary parameter of a multipart Content-Type header value, or null.</summary>
    public static string? Boundary(string contentTypeHeader)
    {
        foreach (var p in contentTypeHeader.Split(';'))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && p[..eq].Trim().Equals("boundary", StringComparison.OrdinalIgnoreCase))
            {
                return p[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    /// <summary>Splits a multipart body into (content type, content) parts; false when it is not well formed.</summary>
    public static bool TrySplit(ReadOnlySpan<byte> body, string boundary, out List<(string? ContentType, byte[] Content)> parts)
    {
        parts = [];
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var start = body.IndexOf(delimiter);
        if (start < 0)
        {
            return false;
        }

        var rest = body[(start + delimiter.Length)..];
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

            rest = rest[(lineEnd + 2)..];
            var next = rest.IndexOf(delimiter);
            if (next < 0)
            {
                return false;
            }

            var part = rest[..next];
            if (part.EndsWith("\r\n"u8))
            {
                part = part[..^2];
            }

            var headerEnd = part.IndexOf("\r\n\r\n"u8);
            string? contentType = "text/plain";
            ReadOnlySpan<byte> content;
            if (part.StartsWith("\r\n"u8))
            {
                content = part[2..];
            }
            else if (headerEnd >= 0)
            {
                foreach (var line in Encoding.UTF8.GetString(part[..headerEnd]).Split("\r\n"))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && SipHeaderNames.Normalize(line[..colon].Trim()) == SipHeaderNames.ContentType)
                    {
                        contentType = line[(colon + 1)..].Split(';')[0].Trim().ToLowerInvariant();
                    }
                }

                content = part[(headerEnd + 4)..];
            }
            else
            {
                return false;
            }

            parts.Add((contentType, content.ToArray()));
            rest = rest[(next + delimiter.Length)..];
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
