using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Media;

namespace Pipeline.Sip.Sdp;

/// <summary>
/// Offer/answer for one audio stream (RFC 3264). Knows the local codec list (ordered names from
/// EndpointOptions.Codecs), writes offers and answers, and turns a completed exchange into a <see cref="NegotiatedMedia"/>.
/// </summary>
internal sealed class SdpNegotiator
{
    private readonly List<SdpCodecInfo> _codecs = [];

    /// <exception cref="ArgumentException">A codec name is unknown, or the list has no audio codec.</exception>
    public SdpNegotiator(IReadOnlyList<string> codecNames, string userName = "pipeline")
    {
        UserName = userName;
        foreach (var name in codecNames)
        {
            var c = SdpCodecInfo.Find(name) ?? throw new ArgumentException($"Unknown codec '{name}'. Known: PCMU, PCMA, G722, telephone-event.", nameof(codecNames));
            if (!_codecs.Contains(c))
            {
                _codecs.Add(c);
            }
        }

        if (!_codecs.Exists(c => !c.IsTelephoneEvent))
        {
            throw new ArgumentException("The codec list needs at least one audio codec (PCMU, PCMA or G722).", nameof(codecNames));
        }
    }

    public string UserName { get; }

    public IReadOnlyList<SdpCodecInfo> Codecs => _codecs;

    /// <summary>A new o= state for one call.</summary>
    public static SdpSessionState NewSession() => new(Random.Shared.NextInt64(1, long.MaxValue / 2).ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes an offer with every local codec.</summary>
    public SdpSessionDescription CreateOffer(SdpSessionState state, IPEndPoint localRtp, MediaDirection direction)
    {
        var sdp = NewDescription(state, localRtp);
        var m = new SdpMedia { Port = localRtp.Port };
        foreach (var c in _codecs)
        {
            AddFormat(m, c, c.PayloadType);
        }

        m.Attributes.Add("ptime:20");
        m.Attributes.Add(DirectionText(direction));
        sdp.Media.Add(m);
        return sdp;
    }

    /// <summary>
    /// Answers <paramref name="offer"/>. On failure returns false with the Warning code (304/305) and a reason for a 488.
    /// </summary>
    public bool TryCreateAnswer(
        SdpSessionDescription offer,
        SdpSessionState state,
        IPEndPoint localRtp,
        MediaDirection localDirection,
        out SdpSessionDescription? answer,
        out NegotiatedMedia? media,
        out int warningCode,
        out string? reason)
    {
        answer = null;
        media = null;
        warningCode = 0;
        reason = null;
        var sdp = NewDescription(state, localRtp);
        var audioDone = false;
        string? failure = null;
        foreach (var om in offer.Media)
        {
            var am = new SdpMedia { Media = om.Media, Proto = om.Proto, Port = 0 };
            if (!audioDone && om.Port != 0 && string.Equals(om.Media, "audio", StringComparison.OrdinalIgnoreCase) && om.Proto.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase))
            {
                var agreed = new List<NegotiatedCodec>();
                int? dtmf = null;
                foreach (var f in om.Formats)
                {
                    var remote = Describe(om, f);
                    if (remote is null)
                    {
                        continue;
                    }

                    var local = Match(remote.Value.Name, remote.Value.ClockRate);
                    if (local is null || agreed.Exists(a => a.PayloadType == remote.Value.Pt))
                    {
                        continue;
                    }

                    if (local.IsTelephoneEvent)
                    {
                        if (dtmf is not null)
                        {
                            continue;
                        }

                        dtmf = remote.Value.Pt;
                    }

                    agreed.Add(new NegotiatedCodec(local.Name, remote.Value.Pt, local.ClockRate, remote.Value.Channels, om.GetFmtp(f) ?? local.Fmtp));
                }

                var first = agreed.Find(a => !string.Equals(a.Name, SdpCodecInfo.TelephoneEvent, StringComparison.OrdinalIgnoreCase));
                if (first is null)
                {
                    failure = $"No common audio codec (offered: {string.Join(' ', om.Formats)})";
                }
                else
                {
                    agreed.Remove(first);
                    agreed.Insert(0, first);
                    am.Port = localRtp.Port;
                    foreach (var a in agreed)
                    {
                        AddFormat(am, new SdpCodecInfo(a.Name, a.PayloadType, a.ClockRate, a.Fmtp), a.PayloadType);
                    }

                    var theirs = Reverse(om.GetDirection(offer.SessionDirection));
                    var remoteRtp = RemoteEndPoint(offer, om, out var rtcp, out var hold);
                    if (hold)
                    {
                        theirs = Intersect(theirs, MediaDirection.RecvOnly);
                    }

                    var ours = Intersect(theirs, localDirection);
                    var ptime = PacketTime(om);
                    am.Attributes.Add("ptime:" + ((int)ptime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                    am.Attributes.Add(DirectionText(ours));
                    media = new NegotiatedMedia(first, agreed, dtmf, remoteRtp, rtcp, ours, ptime);
                    audioDone = true;
                }
            }

            if (am.Port == 0)
            {
                am.Formats.AddRange(om.Formats.Count > 0 ? om.Formats : ["0"]);
            }

            sdp.Media.Add(am);
        }

        if (!audioDone)
        {
            warningCode = failure is null ? 304 : 305;
            reason = failure ?? "No audio stream offered";
            return false;
        }

        answer = sdp;
        return true;
    }

    /// <summary>Reads the answer to our <paramref name="offer"/>; false with a reason when it is unusable.</summary>
    public static bool TryProcessAnswer(SdpSessionDescription offer, SdpSessionDescription answer, MediaDirection offeredDirection, out NegotiatedMedia? media, out string? reason)
    {
        media = null;
        reason = null;
        var index = offer.Media.FindIndex(m => string.Equals(m.Media, "audio", StringComparison.OrdinalIgnoreCase));
        if (index < 0 || index >= answer.Media.Count)
        {
            reason = "answer has no audio stream";
            return false;
        }

        var am = answer.Media[index];
        if (am.Port == 0)
        {
            reason = "audio stream rejected in answer";
            return false;
        }

        var agreed = new List<NegotiatedCodec>();
        int? dtmf = null;
        foreach (var f in am.Formats)
        {
            var d = Describe(am, f);
            if (d is null)
            {
                continue;
            }

            var known = SdpCodecInfo.Find(d.Value.Name);
            if (known is null || known.ClockRate != d.Value.ClockRate)
            {
                continue;
            }

            if (known.IsTelephoneEvent)
            {
                dtmf ??= d.Value.Pt;
            }

            agreed.Add(new NegotiatedCodec(known.Name, d.Value.Pt, known.ClockRate, d.Value.Channels, am.GetFmtp(f) ?? known.Fmtp));
        }

        var first = agreed.Find(a => !string.Equals(a.Name, SdpCodecInfo.TelephoneEvent, StringComparison.OrdinalIgnoreCase));
        if (first is null)
        {
            reason = "answer has no codec we know";
            return false;
        }

        var remoteRtp = RemoteEndPoint(answer, am, out var rtcp, out var hold);
        var ours = Intersect(Reverse(am.GetDirection(answer.SessionDirection)), offeredDirection);
        if (hold)
        {
            ours = Intersect(ours, MediaDirection.SendOnly);
        }

        media = new NegotiatedMedia(first, agreed, dtmf, remoteRtp, rtcp, ours, PacketTime(am));
        return true;
    }

    private SdpCodecInfo? Match(string name, int clockRate)
    {
        foreach (var c in _codecs)
        {
            if (string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) && c.ClockRate == clockRate)
            {
                return c;
            }
        }

        return null;
    }

    private static (string Name, int ClockRate, int Channels, int Pt)? Describe(SdpMedia m, string format)
    {
        if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
        {
            return null;
        }

        if (m.GetRtpMap(format) is { } map)
        {
            return (map.Name, map.ClockRate, map.Channels, pt);
        }

        return SdpCodecInfo.FromStatic(pt) is { } s ? (s.Name, s.ClockRate, 1, pt) : null;
    }

    private static void AddFormat(SdpMedia m, SdpCodecInfo c, int pt)
    {
        var ptText = pt.ToString(CultureInfo.InvariantCulture);
        m.Formats.Add(ptText);
        m.Attributes.Add($"rtpmap:{ptText} {c.Name}/{c.ClockRate.ToString(CultureInfo.InvariantCulture)}");
        if (c.Fmtp is not null)
        {
            m.Attributes.Add($"fmtp:{ptText} {c.Fmtp}");
        }
    }

    private SdpSessionDescription NewDescription(SdpSessionState state, IPEndPoint localRtp)
    {
        var addrType = localRtp.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var addr = localRtp.Address.ToString();
        return new SdpSessionDescription
        {
            OriginUser = UserName,
            SessionId = state.SessionId,
            SessionVersion = state.NextVersion(),
            OriginAddress = new SdpConnection("IN", addrType, addr),
            SessionName = "pipeline",
            Connection = new SdpConnection("IN", addrType, addr),
        };
    }

    private static IPEndPoint RemoteEndPoint(SdpSessionDescription sdp, SdpMedia m, out IPEndPoint? rtcp, out bool hold)
    {
        var c = m.Connection ?? sdp.Connection;
        var address = c is not null && IPAddress.TryParse(c.Address, out var a) ? a : IPAddress.Any;
        hold = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        var rtp = new IPEndPoint(address, m.Port);
        rtcp = new IPEndPoint(address, m.Port + 1);
        if (m.GetAttribute("rtcp") is { } r)
        {
            var p = r.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (p.Length > 0 && int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
            {
                var ra = p.Length >= 4 && IPAddress.TryParse(p[3], out var x) ? x : address;
                rtcp = new IPEndPoint(ra, port);
            }
        }

        return rtp;
    }

    private static TimeSpan PacketTime(SdpMedia m) =>
        m.GetAttribute("ptime") is { } p && int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and <= 200
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.FromMilliseconds(20);

    /// <summary>Their direction seen from our side (their sendonly is our recvonly).</summary>
    private static MediaDirection Reverse(MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        _ => d,
    };

    private static MediaDirection Intersect(MediaDirection a, MediaDirection b)
    {
        var send = a is MediaDirection.SendRecv or MediaDirection.SendOnly && b is MediaDirection.SendRecv or MediaDirection.SendOnly;
        var recv = a is MediaDirection.SendRecv or MediaDirection.RecvOnly && b is MediaDirection.SendRecv or MediaDirection.RecvOnly;
        return send && recv ? MediaDirection.SendRecv : send ? MediaDirection.SendOnly : recv ? MediaDirection.RecvOnly : MediaDirection.Inactive;
    }

    internal static string DirectionText(MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };
}
