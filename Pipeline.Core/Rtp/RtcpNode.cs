using Pipeline.Core.Graph;

namespace Pipeline.Core.Rtp;

/// <summary>
/// The RTCP side of an <see cref="RtpSession"/>, paced by the graph's clock (no timer per call).
/// <code>
///   clock tick ──► elapsed ≥ interval? ──► SR (sent since last report) or RR, + SDES CNAME ──► remote RTCP port
///   node loop  ──► RTCP receive loop ──► remote loss/jitter, RTT from LSR/DLSR, BYE
///   graph stop ──► BYE
/// </code>
/// Get one from <see cref="RtpSession.Rtcp"/>.
/// </summary>
public sealed class RtcpNode : Node, IClockDriven
{
    private readonly RtpSession _session;
    private readonly DatagramHandler _handler;
    private TimeSpan _elapsed;
    private TimeSpan _interval;

    internal RtcpNode(RtpSession session)
        : base("rtcp")
    {
        _session = session;
        _handler = session.OnRtcpReceived;
        _interval = session.NextRtcpInterval(initial: true);
    }

    /// <summary>Time until the next report is due.</summary>
    public TimeSpan NextReportIn => _interval - _elapsed;

    void IClockDriven.OnTick(in MediaTick tick)
    {
        _elapsed += tick.Period;
        if (_elapsed < _interval) return;
        _elapsed = TimeSpan.Zero;
        _interval = _session.NextRtcpInterval(initial: false);
        _session.SendReport();
    }

    protected internal override Task RunAsync(CancellationToken cancellationToken) => _session.Sockets.ReceiveRtcpAsync(_handler, cancellationToken);

    protected internal override ValueTask OnStoppedAsync()
    {
        _session.SendBye();
        return ValueTask.CompletedTask;
    }
}
