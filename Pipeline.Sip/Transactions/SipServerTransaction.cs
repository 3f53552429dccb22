using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transactions;

/// <summary>A server transaction: the TU answers through <see cref="SendResponse"/>; retransmissions are absorbed here.</summary>
internal abstract class SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote, SipTransactionState initial)
    : SipTransaction(layer, key, request, remote, initial)
{
    protected SipResponse? LastResponse { get; set; }

    /// <summary>The To tag this transaction's responses carry (chosen by the TU or generated).</summary>
    public string LocalTag { get; set; } = SipMessageFactory.NewTag();

    /// <summary>True once a final response was sent.</summary>
    public bool IsFinal => LastResponse is { IsProvisional: false };

    /// <summary>Builds a response to this request with our To tag.</summary>
    public SipResponse CreateResponse(int statusCode, string? reason = null) =>
        SipMessageFactory.CreateResponse(Request, statusCode, reason, LocalTag);

    public abstract void SendResponse(SipResponse response);

    public abstract void OnRetransmission(SipRequest request);
}

/// <summary>RFC 3261 §17.2.1 with RFC 6026: timers G, H, I and L. A 2xx is sent once; the TU retransmits it until ACK.</summary>
internal sealed class InviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote)
    : SipServerTransaction(layer, key, request, remote, SipTransactionState.Proceeding)
{
    private SipTimer? _timerG;
    private TimeSpan _intervalG;

    /// <summary>Called when timer H fires: the ACK for our error response never came.</summary>
    public Action? AckTimedOut { get; set; }

    public override void SendResponse(SipResponse response)
    {
        if (State != SipTransactionState.Proceeding)
        {
            return;
        }

        LastResponse = response;
        Layer.Transport.SendResponse(response);
        if (response.IsProvisional)
        {
            return;
        }

        if (response.IsSuccess)
        {
            State = SipTransactionState.Accepted;
            StartTimer(Timers.Timeout, Terminate); // timer L
            return;
        }

        State = SipTransactionState.Completed;
        _intervalG = Timers.T1;
        if (!IsReliable)
        {
            _timerG = StartTimer(_intervalG, OnTimerG);
        }

        StartTimer(Timers.Timeout, OnTimerH);
    }

    private void OnTimerG()
    {
        if (State != SipTransactionState.Completed || LastResponse is null)
        {
            return;
        }

        Layer.Transport.SendResponse(LastResponse);
        _intervalG = _intervalG * 2 < Timers.T2 ? _intervalG * 2 : Timers.T2;
        _timerG = StartTimer(_intervalG, OnTimerG);
    }

    private void OnTimerH()
    {
        if (State == SipTransactionState.Completed)
        {
            Terminate();
            AckTimedOut?.Invoke();
        }
    }

    public override void OnRetransmission(SipRequest request)
    {
        if (request.Method == "ACK")
        {
            if (State == SipTransactionState.Completed)
            {
                State = SipTransactionState.Confirmed;
                Stop(ref _timerG);
                StartTimer(Timers.T4, Terminate); // timer I
            }

            return;
        }

        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
        {
            Layer.Transport.SendResponse(LastResponse);
        }
    }
}

/// <summary>RFC 3261 §17.2.2: timer J.</summary>
internal sealed class NonInviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote)
    : SipServerTransaction(layer, key, request, remote, SipTransactionState.Trying)
{
    public override void SendResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return;
        }

        LastResponse = response;
        Layer.Transport.SendResponse(response);
        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
            return;
        }

        State = SipTransactionState.Completed;
        StartTimer(Timers.Timeout, Terminate); // timer J
    }

    public override void OnRetransmission(SipRequest request)
    {
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
        {
            Layer.Transport.SendResponse(LastResponse);
        }
    }
}
