using System.Globalization;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>Writes a message to bytes: start line, headers in order, Content-Length set to the body length, body.</summary>
internal static class SipWriter
{
    public static byte[] Write(SipMessage message)
    {
        var sb = new StringBuilder(512);
        switch (message)
        {
            case SipRequest r:
                sb.Append(r.Method).Append(' ').Append(r.RequestUriText).Append(' ').Append(r.Version).Append("\r\n");
                break;
            case SipResponse r:
                sb.Append(r.Version).Append(' ').Append(r.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(r.ReasonPhrase).Append("\r\n");
                break;
        }

        foreach (var h in message.Headers)
        {
            if (h.Name == SipHeaderNames.ContentLength)
            {
                continue;
            }

            sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
        }

        sb.Append("Content-Length: ").Append(message.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headLength = Encoding.UTF8.GetByteCount(sb.ToString());
        var bytes = new byte[headLength + message.Body.Length];
        Encoding.UTF8.GetBytes(sb.ToString(), bytes);
        message.Body.CopyTo(bytes, headLength);
        return bytes;
    }
}
