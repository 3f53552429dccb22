using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// One call's RTP session: the socket pair, our SSRC, sequence and timestamp base, the receive statistics and RTCP.
/// It outlives re-INVITEs: retargeting (<see cref="SetRemote"/>) keeps SSRC and sequence continuity.
/// <code>
///   EncodedFrame ──► [Sender] ──RTP──► remote            remote ──RTP──► [Receiver] ──► EncodedFrame (audio PTs)
///                                                                                  └──► DtmfEvent (telephone-event PT)
///   clock ticks ──► [Rtcp]: SR or RR + SDES CNAME every ~RtcpInterval; parses incoming RTCP; BYE when stopped
/// </code>
/// The three nodes live in a <see cref="MediaGraph"/> (<see cref="AddTo"/>): their node loops run the receive loops,
/// the clock drives RTCP. Dispose the session after its graph stopped; it sends BYE if the graph did not.
/// </summary>
public sealed class RtpSession : IAsyncDisposable
{
    private const double RtcpCompensation = 1.21828; // e - 3/2, RFC 3550 §6.3.1
    private readonly ILogger _logger;
    private readonly byte[] _cnameUtf8;
    [ThreadStatic]
    private static byte[]? t_reportBuffer; // scratch for one report at a time per thread (no per-session buffer)

    // Remote addresses (swapped atomically as whole objects).
    private volatile Remote? _rtpRemote;
    private volatile Remote? _rtcpRemote;
    private volatile bool _rtpLatched;
    private volatile bool _rtcpLatched;
    private int _markerPending = 1;

    // Send side: written by the sender loop, read by RTCP.
    private long _packetsSent;
    private long _octetsSent;
    private uint _lastRtpTimestamp;
    private long _lastSendTicks;
    private int _sentSinceReport;

    // Receive side.
    private volatile RtpReceiveState? _source;
    private long _packetsReceived;
    private long _octetsReceived;
    private long _malformed;
    private int _clockRate;
    private int _telephoneEventPt;

    // RTCP state.
    private long _rtcpSent;
    private long _rtcpReceived;
    private uint _lastSrMiddle;
    private long _lastSrArrivalTicks;
    private RemoteReport? _remoteReport;
    private long _rttTicks = -1;
    private long _remotePacketsSent = -1;
    private volatile bool _remoteBye;
    private int _byeSent;

    /// <summary>Binds a socket pair from the options' port range and creates the session's nodes.</summary>
    public RtpSession(RtpSessionOptions? options = null)
    {
        Options = options ?? new RtpSessionOptions();
        _logger = Options.Logger ?? NullLogger.Instance;
        Sockets = RtpSocketPair.Bind(Options.LocalAddress, Options.MinPort, Options.MaxPort, _logger);
        LocalSsrc = RandomUInt32();
        SequenceNumber = (ushort)RandomUInt32();
        TimestampBase = RandomUInt32();
        _clockRate = Options.ClockRate.Hertz;
        TelephoneEventPayloadType = Options.TelephoneEventPayloadType;
        Cname = Options.Cname ?? $"pipeline-{Guid.NewGuid():N}";
        _cnameUtf8 = Encoding.UTF8.GetBytes(Cname);
        if (_cnameUtf8.Length > 255) throw new ArgumentException("The RTCP CNAME must be at most 255 UTF-8 bytes.", nameof(options));
        Sender = new RtpSenderNode(this);
        Receiver = new RtpReceiverNode(this);
        Rtcp = new RtcpNode(this);
    }

    public RtpSessionOptions Options { get; }

    /// <summary>Our synchronization source identifier (random, RFC 3550 §8.1).</summary>
    public uint LocalSsrc { get; }

    public string Cname { get; }

    /// <summary>The sockets. <see cref="RtpSocketPair.RtpEndPoint"/> is what the SDP offers.</summary>
    public RtpSocketPair Sockets { get; }

    public IPEndPoint LocalRtpEndPoint => Sockets.RtpEndPoint;

    public IPEndPoint LocalRtcpEndPoint => Sockets.RtcpEndPoint;

    /// <summary>Where RTP goes now; null while sending is paused.</summary>
    public IPEndPoint? RemoteRtpEndPoint => _rtpRemote?.EndPoint;

    public IPEndPoint? RemoteRtcpEndPoint => _rtcpRemote?.EndPoint;

    /// <summary>EncodedFrames in, RTP out.</summary>
    public RtpSenderNode Sender { get; }

    /// <summary>RTP in, EncodedFrames and DtmfEvents out.</summary>
    public RtpReceiverNode Receiver { get; }

    /// <summary>Clock-driven RTCP reports; incoming RTCP.</summary>
    public RtcpNode Rtcp { get; }

    /// <summary>The RTP clock rate of the current payload; change it when the codec changes.</summary>
    public RtpClockRate ClockRate
    {
        get => new(Volatile.Read(ref _clockRate));
        set => Volatile.Write(ref _clockRate, value.Hertz);
    }

    /// <summary>Payload type of RFC 4733 telephone events (decoded into <see cref="DtmfEvent"/>s), or null for none.
    /// Set it once the SDP answer is known.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a dynamic-range-compatible payload type (0..127).</exception>
    public int? TelephoneEventPayloadType
    {
        get
        {
            int v = Volatile.Read(ref _telephoneEventPt);
            return v < 0 ? null : v;
        }

        set
        {
            if (value is < 0 or > 127) throw new ArgumentOutOfRangeException(nameof(value), value, "An RTP payload type is 0..127.");
            Volatile.Write(ref _telephoneEventPt, value ?? -1);
        }
    }

    internal bool IsTelephoneEvent(int payloadType) => Volatile.Read(ref _telephoneEventPt) == payloadType;

    internal ushort SequenceNumber { get; set; }

    internal uint TimestampBase { get; }

    internal RtpReceiveState? Source => _source;

    /// <summary>A snapshot of the counters.</summary>
    public RtpStatistics Statistics
    {
        get
        {
            var src = _source;
            var rr = Volatile.Read(ref _remoteReport);
            long rtt = Interlocked.Read(ref _rttTicks);
            long rps = Interlocked.Read(ref _remotePacketsSent);
            return new RtpStatistics
            {
                LocalSsrc = LocalSsrc,
                RemoteSsrc = src?.Ssrc,
                ClockRate = ClockRate.Hertz,
                PacketsSent = Interlocked.Read(ref _packetsSent),
                OctetsSent = Interlocked.Read(ref _octetsSent),
                PacketsReceived = Interlocked.Read(ref _packetsReceived),
                OctetsReceived = Interlocked.Read(ref _octetsReceived),
                MalformedPackets = Interlocked.Read(ref _malformed),
                ExtendedHighestSequence = src?.ExtendedHighestSequence ?? 0,
                PacketsExpected = src?.Expected ?? 0,
                PacketsLost = src?.Lost ?? 0,
                FractionLost = src?.LastFractionLost ?? 0,
                Jitter = src?.Jitter ?? 0,
                RtcpPacketsSent = Interlocked.Read(ref _rtcpSent),
                RtcpPacketsReceived = Interlocked.Read(ref _rtcpReceived),
                RemoteFractionLost = rr?.Block.FractionLost,
                RemotePacketsLost = rr?.Block.CumulativeLost,
                RemoteJitter = rr?.Block.Jitter,
                RoundTripTime = rtt >= 0 ? TimeSpan.FromTicks(rtt) : null,
                RemotePacketsSent = rps >= 0 ? (uint)rps : null,
                RemoteBye = _remoteBye,
            };
        }
    }

    /// <summary>Adds the session's three nodes to <paramref name="graph"/> (inside an edit when the graph runs).</summary>
    public void AddTo(MediaGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.Add(Sender);
        graph.Add(Receiver);
        graph.Add(Rtcp);
    }

    /// <summary>
    /// Sets where RTP and RTCP go. <paramref name="rtp"/> null (or an unspecified address such as 0.0.0.0, as in an
    /// old-style hold) pauses sending; the next packet after a pause carries the marker bit. <paramref name="rtcp"/>
    /// defaults to the RTP port + 1. SSRC, sequence numbers and timestamps continue across a change.
    /// </summary>
    /// <exception cref="ArgumentException">The address family cannot be reached from the bound sockets.</exception>
    public void SetRemote(IPEndPoint? rtp, IPEndPoint? rtcp = null)
    {
        if (rtp is null || rtp.Address.Equals(IPAddress.Any) || rtp.Address.Equals(IPAddress.IPv6Any) || rtp.Port == 0)
        {
            _rtpRemote = null;
            _rtcpRemote = null;
            return;
        }

        rtcp ??= new IPEndPoint(rtp.Address, rtp.Port == 65535 ? rtp.Port : rtp.Port + 1);
        var rtpRemote = new Remote(rtp, Sockets.ToSocketAddress(rtp));
        var rtcpRemote = new Remote(rtcp, Sockets.ToSocketAddress(rtcp));
        if (_rtpRemote is null) Volatile.Write(ref _markerPending, 1);
        _rtpRemote = rtpRemote;
        _rtcpRemote = rtcpRemote;
        _rtpLatched = false;
        _rtcpLatched = false;
    }

    /// <summary>Sends an RTCP BYE (once; later calls do nothing; nothing when this session never sent RTP or RTCP).
    /// The graph's RTCP node calls it when the graph stops.</summary>
    public void SendBye(string? reason = null)
    {
        if (Interlocked.Read(ref _packetsSent) == 0 && Interlocked.Read(ref _rtcpSent) == 0) return;
        if (Interlocked.Exchange(ref _byeSent, 1) != 0) return;
        var remote = _rtcpRemote;
        if (remote is null) return;
        Span<byte> buffer = stackalloc byte[700];
        var w = new RtcpWriter(buffer);
        WriteReport(ref w);
        w.WriteSdesCname(LocalSsrc, _cnameUtf8);
        var reasonBytes = reason is null ? [] : Encoding.UTF8.GetBytes(reason.Length > 100 ? reason[..100] : reason);
        w.WriteBye(LocalSsrc, reasonBytes);
        if (Sockets.SendRtcp(w.Written, remote.Address)) Interlocked.Increment(ref _rtcpSent);
    }

    public async ValueTask DisposeAsync()
    {
        SendBye();
        await Sockets.DisposeAsync().ConfigureAwait(false);
    }

    // ----- Send side (sender node loop) -----
    internal Remote? RtpRemote => _rtpRemote;

    internal bool TakeMarkerPending() => Interlocked.Exchange(ref _markerPending, 0) == 1;

    internal void MarkPaused() => Volatile.Write(ref _markerPending, 1);

    internal void OnSent(int payloadLength, uint rtpTimestamp)
    {
        Volatile.Write(ref _lastRtpTimestamp, rtpTimestamp);
        Volatile.Write(ref _lastSendTicks, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _octetsSent, payloadLength);
        Volatile.Write(ref _sentSinceReport, 1);
    }

    // ----- Receive side (receiver node loop) -----

    /// <summary>Accounts one valid RTP packet. Returns true when it starts a new source (first packet or a new SSRC).</summary>
    internal bool OnRtpReceived(in RtpHeader h, SocketAddress from, bool isEvent)
    {
        long now = Stopwatch.GetTimestamp();
        var src = _source;
        bool newSource = false;
        if (src is null || src.Ssrc != h.Ssrc)
        {
            src = new RtpReceiveState(h.Ssrc);
            _source = src;
            newSource = true;
        }

        src.Update(h.SequenceNumber, h.Timestamp.Value, RtpReceiveState.ToRtpUnits(now, Volatile.Read(ref _clockRate)), updateJitter: !isEvent);
        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _octetsReceived, h.PayloadLength);
        if (Options.SymmetricRtp && (newSource || !_rtpLatched)) LatchRtp(from);
        return newSource;
    }

    internal void OnMalformed() => Interlocked.Increment(ref _malformed);

    private void LatchRtp(SocketAddress from)
    {
        _rtpLatched = true;
        var current = _rtpRemote;
        if (current is not null && current.Address.Equals(from)) return;
        var ep = ToEndPoint(from);
        var copy = Copy(from);
        if (current is null) Volatile.Write(ref _markerPending, 1);
        _rtpRemote = new Remote(ep, copy);
        if (!_rtcpLatched)
        {
            var rtcp = new IPEndPoint(ep.Address, ep.Port == 65535 ? ep.Port : ep.Port + 1);
            _rtcpRemote = new Remote(rtcp, Sockets.ToSocketAddress(rtcp));
        }

        _logger.LogDebug("RTP session {Ssrc:X8} latched to {Remote}", LocalSsrc, ep);
    }

    private static IPEndPoint ToEndPoint(SocketAddress a) =>
        (IPEndPoint)new IPEndPoint(a.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(a);

    private static SocketAddress Copy(SocketAddress a)
    {
        var c = new SocketAddress(a.Family, a.Size);
        a.Buffer.Span[..a.Size].CopyTo(c.Buffer.Span);
        return c;
    }

    // ----- RTCP (RTCP receive loop and the clock thread) -----

    /// <summary>The next randomised report interval (RFC 3550 §6.3.1), or half of it for the first report.</summary>
    internal TimeSpan NextRtcpInterval(bool initial)
    {
        double t = Options.RtcpInterval.TotalSeconds;
        if (initial) t /= 2;
        t *= 0.5 + Random.Shared.NextDouble();
        t /= RtcpCompensation;
        return TimeSpan.FromSeconds(t);
    }

    /// <summary>Sends one SR or RR + SDES CNAME. Called on the clock thread.</summary>
    internal void SendReport()
    {
        var w = new RtcpWriter(t_reportBuffer ??= new byte[1024]);
        WriteReport(ref w);
        w.WriteSdesCname(LocalSsrc, _cnameUtf8);
        var remote = _rtcpRemote;
        if (remote is not null && Sockets.SendRtcp(w.Written, remote.Address)) Interlocked.Increment(ref _rtcpSent);
    }

    private void WriteReport(ref RtcpWriter w)
    {
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[1];
        int n = 0;
        var src = _source;
        if (src is not null && src.IsValid)
        {
            uint lsr = Volatile.Read(ref _lastSrMiddle);
            uint dlsr = 0;
            if (lsr != 0)
            {
                long elapsed = Stopwatch.GetTimestamp() - Volatile.Read(ref _lastSrArrivalTicks);
                dlsr = NtpTimestamp.ToShortUnits(Stopwatch.GetElapsedTime(0, elapsed));
            }

            blocks[n++] = src.MakeReportBlock(lsr, dlsr);
        }

        if (Interlocked.Exchange(ref _sentSinceReport, 0) == 1)
        {
            long nowTicks = Stopwatch.GetTimestamp();
            var ntp = NtpTimestamp.Now;
            // The RTP timestamp of "now": the last one sent plus the time since, in RTP units.
            long since = nowTicks - Volatile.Read(ref _lastSendTicks);
            uint rtpNow = unchecked(Volatile.Read(ref _lastRtpTimestamp) + RtpReceiveState.ToRtpUnits(since, Volatile.Read(ref _clockRate)));
            var info = new RtcpSenderInfo(ntp, rtpNow, unchecked((uint)Interlocked.Read(ref _packetsSent)), unchecked((uint)Interlocked.Read(ref _octetsSent)));
            w.WriteSenderReport(LocalSsrc, info, blocks[..n]);
        }
        else
        {
            w.WriteReceiverReport(LocalSsrc, blocks[..n]);
        }
    }

    /// <summary>Handles one RTCP datagram (from the RTCP port, or RTCP multiplexed on the RTP port).</summary>
    internal void OnRtcpReceived(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (!RtcpCompoundReader.Validate(datagram))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        Interlocked.Increment(ref _rtcpReceived);
        if (Options.SymmetricRtp && !_rtcpLatched)
        {
            _rtcpLatched = true;
            var current = _rtcpRemote;
            if (current is null || !current.Address.Equals(from))
            {
                var ep = ToEndPoint(from);
                _rtcpRemote = new Remote(ep, Copy(from));
            }
        }

        var r = new RtcpCompoundReader(datagram);
        while (r.TryReadNext(out var p))
        {
            switch (p.Type)
            {
                case RtcpPacketType.SenderReport:
                    if (p.TryGetSenderInfo(out var info))
                    {
                        Volatile.Write(ref _lastSrArrivalTicks, Stopwatch.GetTimestamp());
                        Volatile.Write(ref _lastSrMiddle, info.NtpTimestamp.Middle32);
                        Interlocked.Exchange(ref _remotePacketsSent, info.PacketCount);
                    }

                    ReadBlocks(p);
                    break;
                case RtcpPacketType.ReceiverReport:
                    ReadBlocks(p);
                    break;
                case RtcpPacketType.Goodbye:
                    _remoteBye = true;
                    _logger.LogDebug("RTP session {Ssrc:X8} received BYE from {From}", LocalSsrc, p.Ssrc);
                    break;
            }
        }
    }

    private void ReadBlocks(in RtcpPacket p)
    {
        for (int i = 0; i < p.Count; i++)
        {
            if (!p.TryGetReportBlock(i, out var b) || b.Ssrc != LocalSsrc) continue;
            Volatile.Write(ref _remoteReport, new RemoteReport(b));
            if (b.LastSenderReport != 0)
            {
                // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s.
                uint a = NtpTimestamp.Now.Middle32;
                int rtt = unchecked((int)(a - b.LastSenderReport - b.DelaySinceLastSenderReport));
                if (rtt >= 0) Interlocked.Exchange(ref _rttTicks, NtpTimestamp.FromShortUnits((uint)rtt).Ticks);
            }
        }
    }

    private static uint RandomUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        RandomNumberGenerator.Fill(b);
        return BitConverter.ToUInt32(b);
    }

    internal sealed class Remote(IPEndPoint endPoint, SocketAddress address)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public SocketAddress Address { get; } = address;
    }

    private sealed class RemoteReport(RtcpReportBlock block)
    {
        public RtcpReportBlock Block { get; } = block;
    }
}
