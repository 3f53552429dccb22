using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pipeline.Codecs;
using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;
using Pipeline.Sip.Media;

namespace Pipeline.Sip.Sdp;

/// <summary>
/// Offer/answer for one audio stream (RFC 3264). Knows the local codec list (ordered names from
/// EndpointOptions.Codecs, described by the <see cref="CodecRegistry"/>), writes offers and answers, and turns a
/// completed exchange into a <see cref="NegotiatedMedia"/>.
/// <list type="bullet">
/// <item>Offers: static payload types as registered; dynamic ones allocated from 96 to 127 without collisions, keeping
/// the numbers of the running session (RFC 3264 §8.3.2); telephone-event at 8000 Hz (PT 101 when free) and again at the
/// clock of every other offered codec (<c>telephone-event/48000</c> beside Opus).</item>
/// <item>Answers: the offerer's payload types and order; fmtp by each codec's rule (G.729 annexb, iLBC mode); one
/// telephone-event, the one whose clock matches the chosen codec.</item>
/// </list>
/// </summary>
internal sealed class SdpNegotiator
{
    private const int DefaultTelephoneEventPt = 101;
    private readonly List<CodecInfo> _codecs = [];

    /// <param name="codecNames">Codec names in preference order; <c>telephone-event</c> enables RFC 4733 events.</param>
    /// <param name="userName">o= user name.</param>
    /// <param name="registry">Where codec names are looked up; null: <see cref="CodecRegistry.Default"/>.</param>
    /// <exception cref="ArgumentException">A codec name is unknown (the message names it and lists the known ones), or the list has no audio codec.</exception>
    public SdpNegotiator(IReadOnlyList<string> codecNames, string userName = "pipeline", CodecRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(codecNames);
        UserName = userName;
        Registry = registry ?? CodecRegistry.Default;
        foreach (var name in codecNames)
        {
            if (name is null)
            {
                throw new ArgumentException("A codec name is null.", nameof(codecNames));
            }

            if (string.Equals(name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase))
            {
                TelephoneEvents = true;
                continue;
            }

            if (!Registry.TryGet(name, out var info))
            {
                throw new ArgumentException($"Unknown codec '{name}'. Known: {Registry.DescribeNames()}, {TelephoneEventFmtp.EncodingName}.", nameof(codecNames));
            }

            if (!_codecs.Contains(info))
            {
                _codecs.Add(info);
            }
        }

        if (_codecs.Count == 0)
        {
            throw new ArgumentException($"The codec list needs at least one audio codec ({Registry.DescribeNames()}).", nameof(codecNames));
        }
    }

    public string UserName { get; }

    public CodecRegistry Registry { get; }

    /// <summary>The audio codecs we offer and accept, in preference order.</summary>
    public IReadOnlyList<CodecInfo> Codecs => _codecs;

    /// <summary>True when telephone-event is offered and accepted.</summary>
    public bool TelephoneEvents { get; }

    /// <summary>A new o= state for one call.</summary>
    public static SdpSessionState NewSession() => new(Random.Shared.NextInt64(1, long.MaxValue / 2).ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes an offer with every local codec (or those of <paramref name="only"/>, in its order).</summary>
    /// <param name="state">The call's o= state.</param>
    /// <param name="localRtp">Our RTP address.</param>
    /// <param name="direction">The direction we offer.</param>
    /// <param name="previous">The running media of this call: its dynamic payload types are kept.</param>
    /// <param name="only">Codec names to offer instead of the full list (a re-INVITE that changes codec); null: all.</param>
    /// <exception cref="ArgumentException"><paramref name="only"/> names a codec not in our list, or no audio codec.</exception>
    public SdpSessionDescription CreateOffer(SdpSessionState state, IPEndPoint localRtp, MediaDirection direction, NegotiatedMedia? previous = null, IReadOnlyList<string>? only = null)
    {
        var codecs = Select(only, out var withEvents);
        var sdp = NewDescription(state, localRtp);
        var m = new SdpMedia { Port = localRtp.Port };
        var used = new bool[128];
        var pts = new int[codecs.Count];
        foreach (var c in codecs)
        {
            if (c.StaticPayloadType is int spt) used[spt] = true;
        }

        // Keep the numbers the session already uses (RFC 3264 §8.3.2), then allocate the rest from 96 up.
        for (int i = 0; i < codecs.Count; i++)
        {
            pts[i] = codecs[i].StaticPayloadType ?? -1;
            if (pts[i] < 0 && previous is not null && PreviousPt(previous, codecs[i].Name, codecs[i].RtpClockRate.Hertz, used) is int kept)
            {
                pts[i] = kept;
                used[kept] = true;
            }
        }

        var eventClocks = new List<int>();
        var eventPts = new List<int>();
        if (withEvents)
        {
            eventClocks.Add(8000);
            foreach (var c in codecs)
            {
                if (!eventClocks.Contains(c.RtpClockRate.Hertz)) eventClocks.Add(c.RtpClockRate.Hertz);
            }

            foreach (var clock in eventClocks)
            {
                int pt = previous is not null && PreviousPt(previous, TelephoneEventFmtp.EncodingName, clock, used) is int kept ? kept
                    : clock == 8000 && !used[DefaultTelephoneEventPt] ? DefaultTelephoneEventPt
                    : -1;
                if (pt >= 0) used[pt] = true;
                eventPts.Add(pt);
            }
        }

        for (int i = 0; i < codecs.Count; i++)
        {
            if (pts[i] < 0) pts[i] = Allocate(used, codecs[i].Name);
        }

        for (int i = 0; i < eventPts.Count; i++)
        {
            if (eventPts[i] < 0) eventPts[i] = Allocate(used, TelephoneEventFmtp.EncodingName);
        }

        for (int i = 0; i < codecs.Count; i++)
        {
            AddFormat(m, pts[i], codecs[i].RtpMap, codecs[i].DefaultFmtp.ToString());
        }

        for (int i = 0; i < eventPts.Count; i++)
        {
            AddFormat(m, eventPts[i], TelephoneEventFmtp.EncodingName + "/" + eventClocks[i].ToString(CultureInfo.InvariantCulture), TelephoneEventFmtp.Default.ToString());
        }

        m.Attributes.Add("ptime:" + Milliseconds(codecs[0].DefaultPtime));
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
                var agreed = new List<(NegotiatedCodec Codec, CodecInfo Info)>();
                var events = new List<(int Pt, int Clock, string? Fmtp)>();
                var seen = new HashSet<int>();
                foreach (var f in om.Formats)
                {
                    if (Describe(om, f) is not { } remote || !seen.Add(remote.Pt))
                    {
                        continue;
                    }

                    if (string.Equals(remote.Name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase))
                    {
                        if (TelephoneEvents)
                        {
                            events.Add((remote.Pt, remote.ClockRate, om.GetFmtp(f)));
                        }

                        continue;
                    }

                    if (Match(remote.Name, remote.ClockRate) is not { } local)
                    {
                        continue;
                    }

                    var offered = FmtpParameters.Parse(om.GetFmtp(f));
                    NegotiatedCodec codec;
                    if (local.AnswerFmtp is { } rule)
                    {
                        var agreedFmtp = NullIfEmpty(rule(offered, local.DefaultFmtp));
                        codec = new NegotiatedCodec(local.Name, remote.Pt, remote.ClockRate, remote.Channels, agreedFmtp) { LocalFmtp = agreedFmtp };
                    }
                    else
                    {
                        codec = new NegotiatedCodec(local.Name, remote.Pt, remote.ClockRate, remote.Channels, NullIfEmpty(offered)) { LocalFmtp = NullIfEmpty(local.DefaultFmtp) };
                    }

                    agreed.Add((codec, local));
                }

                if (agreed.Count == 0)
                {
                    failure = $"No common audio codec (offered: {string.Join(' ', om.Formats)})";
                }
                else
                {
                    var (first, firstInfo) = agreed[0];
                    am.Port = localRtp.Port;
                    var codecs = new List<NegotiatedCodec>(agreed.Count + 1);
                    foreach (var (codec, info) in agreed)
                    {
                        codecs.Add(codec);
                        AddFormat(am, codec.PayloadType, RtpMap(info, codec.Channels), codec.LocalFmtp);
                    }

                    int? dtmf = null;
                    foreach (var (pt, clock, fmtp) in events)
                    {
                        if (clock != first.ClockRate)
                        {
                            continue;
                        }

                        var common = TelephoneEventFmtp.Answer(TelephoneEventFmtp.Parse(fmtp), TelephoneEventFmtp.Default);
                        if (common.IsEmpty)
                        {
                            continue;
                        }

                        dtmf = pt;
                        var te = new NegotiatedCodec(TelephoneEventFmtp.EncodingName, pt, clock, 1, fmtp) { LocalFmtp = common.ToString() };
                        codecs.Add(te);
                        AddFormat(am, pt, TelephoneEventFmtp.EncodingName + "/" + clock.ToString(CultureInfo.InvariantCulture), te.LocalFmtp);
                        break;
                    }

                    var theirs = Reverse(om.GetDirection(offer.SessionDirection));
                    var remoteRtp = RemoteEndPoint(offer, om, out var rtcp, out var hold);
                    if (hold)
                    {
                        theirs = Intersect(theirs, MediaDirection.RecvOnly);
                    }

                    var ours = Intersect(theirs, localDirection);
                    var ptime = PacketTime(om, firstInfo, FmtpParameters.Parse(first.Fmtp));
                    am.Attributes.Add("ptime:" + Milliseconds(ptime));
                    am.Attributes.Add(DirectionText(ours));
                    media = new NegotiatedMedia(first, codecs, dtmf, remoteRtp, rtcp, ours, ptime);
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
    public bool TryProcessAnswer(SdpSessionDescription offer, SdpSessionDescription answer, MediaDirection offeredDirection, out NegotiatedMedia? media, out string? reason)
    {
        media = null;
        reason = null;
        var index = offer.Media.FindIndex(m => string.Equals(m.Media, "audio", StringComparison.OrdinalIgnoreCase));
        if (index < 0 || index >= answer.Media.Count)
        {
            reason = "answer has no audio stream";
            return false;
        }

        var om = offer.Media[index];
        var am = answer.Media[index];
        if (am.Port == 0)
        {
            reason = "audio stream rejected in answer";
            return false;
        }

        var agreed = new List<(NegotiatedCodec Codec, CodecInfo Info)>();
        var events = new List<NegotiatedCodec>();
        foreach (var f in am.Formats)
        {
            // The answer's rtpmap, or our offer's for that number (an answer may leave it out).
            if ((Describe(am, f) ?? Describe(om, f)) is not { } d)
            {
                continue;
            }

            var ours = om.GetFmtp(f);
            if (string.Equals(d.Name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase))
            {
                if (TelephoneEvents)
                {
                    events.Add(new NegotiatedCodec(TelephoneEventFmtp.EncodingName, d.Pt, d.ClockRate, 1, am.GetFmtp(f)) { LocalFmtp = ours });
                }

                continue;
            }

            if (!Registry.TryGet(d.Name, new RtpClockRate(d.ClockRate), out var known))
            {
                continue;
            }

            var theirs = FmtpParameters.Parse(am.GetFmtp(f));
            var local = om.Formats.Contains(f) ? FmtpParameters.Parse(ours) : known.DefaultFmtp;
            var codec = known.AnswerFmtp is { } rule
                ? new NegotiatedCodec(known.Name, d.Pt, d.ClockRate, d.Channels, NullIfEmpty(rule(theirs, local))) { LocalFmtp = NullIfEmpty(local) }
                : new NegotiatedCodec(known.Name, d.Pt, d.ClockRate, d.Channels, NullIfEmpty(theirs)) { LocalFmtp = NullIfEmpty(local) };
            agreed.Add((codec, known));
        }

        if (agreed.Count == 0)
        {
            reason = "answer has no codec we know";
            return false;
        }

        var (first, firstInfo) = agreed[0];
        var codecs = new List<NegotiatedCodec>(agreed.Count + events.Count);
        foreach (var (c, _) in agreed) codecs.Add(c);
        int? dtmf = null;
        foreach (var te in events)
        {
            codecs.Add(te);
            if (dtmf is null && te.ClockRate == first.ClockRate) dtmf = te.PayloadType;
        }

        var remoteRtp = RemoteEndPoint(answer, am, out var rtcp, out var hold);
        var dir = Intersect(Reverse(am.GetDirection(answer.SessionDirection)), offeredDirection);
        if (hold)
        {
            dir = Intersect(dir, MediaDirection.SendOnly);
        }

        media = new NegotiatedMedia(first, codecs, dtmf, remoteRtp, rtcp, dir, PacketTime(am, firstInfo, FmtpParameters.Parse(first.Fmtp)));
        return true;
    }

    /// <summary>The codecs of an offer: all, or those <paramref name="only"/> names, in its order. Telephone events stay
    /// as configured (a codec change does not drop DTMF).</summary>
    private List<CodecInfo> Select(IReadOnlyList<string>? only, out bool withEvents)
    {
        withEvents = TelephoneEvents;
        if (only is null)
        {
            return _codecs;
        }

        var list = new List<CodecInfo>();
        foreach (var name in only)
        {
            if (string.Equals(name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var c = _codecs.Find(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Codec '{name}' is not among this endpoint's codecs ({string.Join(", ", _codecs.ConvertAll(x => x.Name))}).", nameof(only));
            if (!list.Contains(c)) list.Add(c);
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("An offer needs at least one audio codec.", nameof(only));
        }

        return list;
    }

    private static int? PreviousPt(NegotiatedMedia previous, string name, int clock, bool[] used)
    {
        foreach (var c in previous.Codecs)
        {
            if (c.PayloadType >= 96 && c.PayloadType <= 127 && !used[c.PayloadType] && c.ClockRate == clock && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return c.PayloadType;
            }
        }

        return null;
    }

    private static int Allocate(bool[] used, string name)
    {
        for (int pt = 96; pt <= 127; pt++)
        {
            if (!used[pt])
            {
                used[pt] = true;
                return pt;
            }
        }

        throw new InvalidOperationException($"No dynamic RTP payload type (96-127) is left for {name}: the offer lists too many codecs.");
    }

    private CodecInfo? Match(string name, int clockRate)
    {
        foreach (var c in _codecs)
        {
            if (string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) && c.RtpClockRate.Hertz == clockRate)
            {
                return c;
            }
        }

        return null;
    }

    private (string Name, int ClockRate, int Channels, int Pt)? Describe(SdpMedia m, string format)
    {
        if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
        {
            return null;
        }

        if (m.GetRtpMap(format) is { } map)
        {
            return (map.Name, map.ClockRate, map.Channels, pt);
        }

        // No rtpmap: only a static payload type (RFC 3551) says what it is.
        return pt < 96 && Registry.TryGetByStaticPayloadType(pt, out var s) ? (s.Name, s.RtpClockRate.Hertz, s.RtpMapChannels, pt) : null;
    }

    private static string RtpMap(CodecInfo info, int channels) =>
        channels > 1 || info.RtpMapChannels > 1
            ? $"{info.Name}/{info.RtpClockRate.Hertz.ToString(CultureInfo.InvariantCulture)}/{Math.Max(channels, info.RtpMapChannels).ToString(CultureInfo.InvariantCulture)}"
            : $"{info.Name}/{info.RtpClockRate.Hertz.ToString(CultureInfo.InvariantCulture)}";

    private static string? NullIfEmpty(FmtpParameters p) => p.IsEmpty ? null : p.ToString();

    private static void AddFormat(SdpMedia m, int pt, string rtpmap, string? fmtp)
    {
        var ptText = pt.ToString(CultureInfo.InvariantCulture);
        m.Formats.Add(ptText);
        m.Attributes.Add($"rtpmap:{ptText} {rtpmap}");
        if (!string.IsNullOrEmpty(fmtp))
        {
            m.Attributes.Add($"fmtp:{ptText} {fmtp}");
        }
    }

    private static string Milliseconds(TimeSpan t) => ((int)Math.Round(t.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

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

    /// <summary>The packet time: a=ptime of <paramref name="m"/>, rounded up to whole frames for codecs with fixed frames
    /// (iLBC mode, G.729); without one, the codec's default, or one frame when the default is not a whole number of them
    /// (iLBC mode=20).</summary>
    private static TimeSpan PacketTime(SdpMedia m, CodecInfo codec, FmtpParameters fmtp)
    {
        var given = Ptime(m);
        var ptime = given ?? codec.DefaultPtime;
        if (codec.FrameDuration?.Invoke(fmtp) is TimeSpan frame && frame > TimeSpan.Zero && ptime.Ticks % frame.Ticks != 0)
        {
            ptime = given is null ? frame : TimeSpan.FromTicks((ptime.Ticks + frame.Ticks - 1) / frame.Ticks * frame.Ticks);
        }

        return ptime;
    }

    private static TimeSpan? Ptime(SdpMedia m) =>
        m.GetAttribute("ptime") is { } p && int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and <= 200
            ? TimeSpan.FromMilliseconds(ms)
            : null;

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
