using System.Globalization;
using Pipeline.Sip.Media;

namespace Pipeline.Sip.Sdp;

/// <summary>One m= section of an SDP description (RFC 4566 §5.14) with its c= and a= lines.</summary>
internal sealed class SdpMedia
{
    public string Media { get; set; } = "audio";

    public int Port { get; set; }

    public string Proto { get; set; } = "RTP/AVP";

    public List<string> Formats { get; } = [];

    public SdpConnection? Connection { get; set; }

    /// <summary>a= values without the "a=" ("rtpmap:0 PCMU/8000", "sendrecv").</summary>
    public List<string> Attributes { get; } = [];

    /// <summary>Other lines of the section (i=, b=, k=) as type and value, kept for round-trips.</summary>
    public List<KeyValuePair<char, string>> OtherLines { get; } = [];

    public string? GetAttribute(string name)
    {
        foreach (var a in Attributes)
        {
            if (a.Length > name.Length && a[name.Length] == ':' && a.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return a[(name.Length + 1)..];
            }
        }

        return null;
    }

    public bool HasFlag(string name)
    {
        foreach (var a in Attributes)
        {
            if (string.Equals(a, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rtpmap for a payload type: encoding name, clock rate, channels; null when absent.</summary>
    public (string Name, int ClockRate, int Channels)? GetRtpMap(string pt)
    {
        foreach (var a in Attributes)
        {
            if (!a.StartsWith("rtpmap:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var body = a.AsSpan(7).Trim();
            var sp = body.IndexOf(' ');
            if (sp <= 0 || !body[..sp].SequenceEqual(pt))
            {
                continue;
            }

            var enc = body[(sp + 1)..].Trim().ToString().Split('/');
            if (enc.Length < 2 || !int.TryParse(enc[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rate))
            {
                return null;
            }

            var ch = enc.Length > 2 && int.TryParse(enc[2], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 1;
            return (enc[0], rate, ch);
        }

        return null;
    }

    public string? GetFmtp(string pt)
    {
        foreach (var a in Attributes)
        {
            if (a.StartsWith("fmtp:", StringComparison.OrdinalIgnoreCase))
            {
                var body = a.AsSpan(5).Trim();
                var sp = body.IndexOf(' ');
                if (sp > 0 && body[..sp].SequenceEqual(pt))
                {
                    return body[(sp + 1)..].Trim().ToString();
                }
            }
        }

        return null;
    }

    /// <summary>The direction attribute of this section, or <paramref name="sessionDefault"/>.</summary>
    public MediaDirection GetDirection(MediaDirection sessionDefault) =>
        HasFlag("sendonly") ? MediaDirection.SendOnly
        : HasFlag("recvonly") ? MediaDirection.RecvOnly
        : HasFlag("inactive") ? MediaDirection.Inactive
        : HasFlag("sendrecv") ? MediaDirection.SendRecv
        : sessionDefault;
}
