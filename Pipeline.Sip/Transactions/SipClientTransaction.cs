using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transactions;

/// <summary>A client transaction; the owner hears every response passed up and the failure (timeout) if any.</summary>
internal abstract class SipClientTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote, SipTransactionState initial)
    : SipTransaction(layer, key, request, remote, initial)
{
    /// <summary>Called for each response the TU should see (provisional, final, and 2xx retransmissions for INVITE).</summary>
    public Action<SipResponse>? ResponseReceived { get; set; }

    /// <summary>Called once when the transaction times out (timer B or F) with a reason.</summary>
    public Action<string>? Failed { get; set; }

    public abstract void Start();

    public abstract void OnResponse(SipResponse response);

    /// <summary>The transport could not send the request: fail now rather than at timer B/F ("Transport error: …").</summary>
    public void OnTransportError(string reason)
    {
        if (State is SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding)
        {
            Fail("Transport error: " + reason);
        }
    }

    protected void PassUp(SipResponse response) => ResponseReceived?.Invoke(response);

    protected void Fail(string reason)
    {
        Terminate();
        Failed?.Invoke(reason);
    }
}

/// <summary>RFC 3261 §17.1.1 with RFC 6026's Accepted state: timers A, B, D and M.</summary>
internal sealed class InviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote)
    : SipClientTransaction(layer, key, request, remote, SipTransactionState.Calling)
{
    private SipTimer? _timerA;
    private TimeSpan _intervalA;
    private SipRequest? _ack;

    public override void Start()
    {
        Layer.Transport.Send(Request, Remote);
        if (!Reliable)
        {
            _intervalA = Timers.T1;
            _timerA = StartTimer(_intervalA, OnTimerA);
        }

        StartTimer(Timers.Timeout, OnTimerB);
    }

    private void OnTimerA()
    {
        if (State != SipTransactionState.Calling)
        {
            return;
        }

        Layer.Transport.Send(Request, Remote);
        _intervalA *= 2;
        _timerA = StartTimer(_intervalA, OnTimerA);
    }

    private void OnTimerB()
    {
        if (State == SipTransactionState.Calling)
        {
            Fail("Timer B: no response to INVITE");
        }
    }

    public override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Proceeding:
                Stop(ref _timerA);
                if (response.IsProvisional)
                {
                    State = SipTransactionState.Proceeding;
                    PassUp(response);
                }
                else if (response.IsSuccess)
                {
                    State = SipTransactionState.Accepted;
                    StartTimer(Timers.Timeout, Terminate); // timer M
                    PassUp(response);
                }
                else
                {
                    State = SipTransactionState.Completed;
                    _ack = CreateAck(response);
                    Layer.Transport.Send(_ack, Remote);
                    PassUp(response);
                    TerminateAfter(Timers.TimerD(Reliable));
                }

                break;
            case SipTransactionState.Accepted:
                if (response.IsSuccess)
                {
                    PassUp(response);
                }

                break;
            case SipTransactionState.Completed:
                if (!response.IsProvisional && _ack is not null)
                {
                    Layer.Transport.Send(_ack, Remote);
                }

                break;
        }
    }

    /// <summary>§17.1.1.3: the ACK for a non-2xx final response is part of the INVITE transaction.</summary>
    private SipRequest CreateAck(SipResponse response)
    {
        var ack = new SipRequest("ACK", Request.RequestUriText, Request.Uri);
        ack.AddHeader(SipHeaderNames.Via, Request.TopVia!.ToString());
        foreach (var h in Request.Headers)
        {
            if (h.Name is SipHeaderNames.Route)
            {
                ack.AddHeader(h.Name, h.Value);
            }
        }

        ack.AddHeader(SipHeaderNames.MaxForwards, "70");
        ack.AddHeader(SipHeaderNames.From, Request.GetHeader(SipHeaderNames.From)!);
        ack.AddHeader(SipHeaderNames.To, response.GetHeader(SipHeaderNames.To)!);
        ack.AddHeader(SipHeaderNames.CallId, Request.CallId);
        ack.AddHeader(SipHeaderNames.CSeq, new SipCSeq(Request.CSeq.Number, "ACK").ToString());
        return ack;
    }
}

/// <summary>RFC 3261 §17.1.2: timers E, F and K.</summary>
internal sealed class NonInviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote)
    : SipClientTransaction(layer, key, request, remote, SipTransactionState.Trying)
{
    private SipTimer? _timerE;
    private TimeSpan _intervalE;

    public override void Start()
    {
        Layer.Transport.Send(Request, Remote);
        if (!Reliable)
        {
            _intervalE = Timers.T1;
            _timerE = StartTimer(_intervalE, OnTimerE);
        }

        StartTimer(Timers.Timeout, OnTimerF);
    }

    private void OnTimerE()
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        Layer.Transport.Send(Request, Remote);
        _intervalE = State == SipTransactionState.Trying ? Min(_intervalE * 2, Timers.T2) : Timers.T2;
        _timerE = StartTimer(_intervalE, OnTimerE);
    }

    private void OnTimerF()
    {
        if (State is SipTransactionState.Trying or SipTransactionState.Proceeding)
        {
            Fail($"Timer F: no final response to {Request.Method}");
        }
    }

    public override void OnResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
            PassUp(response);
            return;
        }

        State = SipTransactionState.Completed;
        Stop(ref _timerE);
        PassUp(response);
        TerminateAfter(Timers.TimerIK(Reliable)); // timer K
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
