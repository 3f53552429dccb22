using Pipeline.Sip.Messages;
using Pipeline.Sip.Transactions;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Dialogs;

/// <summary>
/// §13.3.1.4: the UAS core retransmits its 2xx to an INVITE, starting at T1 and doubling up to T2, until the ACK
/// arrives; after 64*T1 without ACK it gives up (the caller then sends BYE).
/// </summary>
internal sealed class SuccessResponseRetransmitter : IDisposable
{
    private readonly ISipTransport _transport;
    private readonly TimeProvider _time;
    private readonly ISipScheduler _scheduler;
    private readonly SipTimerSettings _timers;
    private readonly SipResponse _response;
    private readonly Action _giveUp;
    private SipTimer? _retransmit;
    private SipTimer? _timeout;
    private TimeSpan _interval;

    public SuccessResponseRetransmitter(ISipTransport transport, TimeProvider time, ISipScheduler scheduler, SipTimerSettings timers, SipResponse response, Action giveUp)
    {
        _transport = transport;
        _time = time;
        _scheduler = scheduler;
        _timers = timers;
        _response = response;
        _giveUp = giveUp;
        _interval = timers.T1;
        _retransmit = SipTimer.Start(time, scheduler, _interval, OnRetransmit);
        _timeout = SipTimer.Start(time, scheduler, timers.Timeout, OnTimeout);
    }

    public uint CSeq => _response.CSeq.Number;

    private void OnRetransmit()
    {
        if (_timeout is null)
        {
            return;
        }

        _transport.SendResponse(_response);
        _interval = _interval * 2 < _timers.T2 ? _interval * 2 : _timers.T2;
        _retransmit = SipTimer.Start(_time, _scheduler, _interval, OnRetransmit);
    }

    private void OnTimeout()
    {
        Dispose();
        _giveUp();
    }

    public void Dispose()
    {
        _retransmit?.Dispose();
        _timeout?.Dispose();
        _retransmit = null;
        _timeout = null;
    }
}
