using System.Globalization;
using System.Text;
using Pipeline.Sip.Media;

namespace Pipeline.Sip.Sdp;

/// <summary>An SDP session description (RFC 4566): v, o, s, c, t, session attributes and media sections.</summary>
internal sealed class SdpSessionDescription
{
    public int Version { get; set; }

    public string OriginUser { get; set; } = "-";

    public string SessionId { get; set; } = "0";

    public ulong SessionVersion { get; set; }

    public SdpConnection OriginAddress { get; set; } = new("IN", "IP4", "0.0.0.0");

    public string SessionName { get; set; } = "-";

    public SdpConnection? Connection { get; set; }

    public string Timing { get; set; } = "0 0";

    public List<string> Attributes { get; } = [];

    public List<KeyValuePair<char, string>> OtherLines { get; } = [];

    public List<SdpMedia> Media { get; } = [];

    public MediaDirection SessionDirection =>
        Attributes.Contains("sendonly") ? MediaDirection.SendOnly
        : Attributes.Contains("recvonly") ? MediaDirection.RecvOnly
        : Attributes.Contains("inactive") ? MediaDirection.Inactive
        : MediaDirection.SendRecv;

    /// <summary>Parses SDP text; returns false with a reason on malformed input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out SdpSessionDescription? sdp, out string? error)
    {
        sdp = null;
        error = null;
        var d = new SdpSessionDescription();
        SdpMedia? current = null;
        var seenV = false;
        var seenO = false;
        var text = Encoding.UTF8.GetString(body);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                error = $"malformed SDP line '{line}'";
                return false;
            }

            var type = line[0];
            var value = line[2..];
            switch (type)
            {
                case 'v':
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v != 0)
                    {
                        error = $"unsupported SDP version '{value}'";
                        return false;
                    }

                    seenV = true;
                    break;
                case 'o':
                    {
                        var p = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (p.Length != 6 || !ulong.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ver))
                        {
                            error = $"malformed o= line '{value}'";
                            return false;
                        }

                        d.OriginUser = p[0];
                        d.SessionId = p[1];
                        d.SessionVersion = ver;
                        d.OriginAddress = new SdpConnection(p[3], p[4], p[5]);
                        seenO = true;
                        break;
                    }

                case 's':
                    d.SessionName = value;
                    break;
                case 't':
                    d.Timing = value;
                    break;
                case 'c':
                    {
                        var p = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (p.Length != 3)
                        {
                            error = $"malformed c= line '{value}'";
                            return false;
                        }

                        var slash = p[2].IndexOf('/', StringComparison.Ordinal);
                        var c = new SdpConnection(p[0], p[1], slash >= 0 ? p[2][..slash] : p[2]);
                        if (current is null)
                        {
                            d.Connection = c;
                        }
                        else
                        {
                            current.Connection = c;
                        }

                        break;
                    }

                case 'm':
                    {
                        var p = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var portText = p.Length > 0 ? p[1 % p.Length] : "";
                        var slash = portText.IndexOf('/', StringComparison.Ordinal);
                        if (p.Length < 3 || !int.TryParse(slash >= 0 ? portText[..slash] : portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                        {
                            error = $"malformed m= line '{value}'";
                            return false;
                        }

                        current = new SdpMedia { Media = p[0], Port = port, Proto = p[2] };
                        current.Formats.AddRange(p.AsSpan(3));
                        d.Media.Add(current);
                        break;
                    }

                case 'a':
                    (current?.Attributes ?? d.Attributes).Add(value);
                    break;
                default:
                    (current?.OtherLines ?? d.OtherLines).Add(new(type, value));
                    break;
            }
        }

        if (!seenV || !seenO)
        {
            error = !seenV ? "SDP without v= line" : "SDP without o= line";
            return false;
        }

        sdp = d;
        return true;
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    public override string ToString()
    {
        var sb = new StringBuilder(256);
        sb.Append("v=").Append(Version.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("o=").Append(OriginUser).Append(' ').Append(SessionId).Append(' ').Append(SessionVersion.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(OriginAddress).Append("\r\n");
        sb.Append("s=").Append(SessionName).Append("\r\n");
        foreach (var (k, v) in OtherLines)
        {
            sb.Append(k).Append('=').Append(v).Append("\r\n");
        }

        if (Connection is not null)
        {
            sb.Append("c=").Append(Connection).Append("\r\n");
        }

        sb.Append("t=").Append(Timing).Append("\r\n");
        foreach (var a in Attributes)
        {
            sb.Append("a=").Append(a).Append("\r\n");
        }

        foreach (var m in Media)
        {
            sb.Append("m=").Append(m.Media).Append(' ').Append(m.Port.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(m.Proto);
            foreach (var f in m.Formats)
            {
                sb.Append(' ').Append(f);
            }

            sb.Append("\r\n");
            foreach (var (k, v) in m.OtherLines)
            {
                sb.Append(k).Append('=').Append(v).Append("\r\n");
            }

            if (m.Connection is not null)
            {
                sb.Append("c=").Append(m.Connection).Append("\r\n");
            }

            foreach (var a in m.Attributes)
            {
                sb.Append("a=").Append(a).Append("\r\n");
            }
        }

        return sb.ToString();
    }
}
