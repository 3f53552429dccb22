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

    /// <summary>Key in the layer's merged-request index (§8.2.2.2), if indexed.</summary>
    internal string? MergeKey { get; set; }

    /// <summary>True once any response (provisional or final) was sent.</summary>
    public bool HasResponded => LastResponse is not null;

    /// <summary>True once a final response was sent.</summary>
    public bool IsFinal => LastResponse is { IsProvisional: false };

    /// <summary>Builds a response to this request with our To tag.</summary>
    public SipResponse CreateResponse(int statusCode, string? reason = null) =>
        SipMessageFactory.CreateResponse(Request, statusCode, reason, LocalTag);

    public abstract void SendResponse(SipResponse response);

    public abstract void OnRetransmission(SipRequest request);

    /// <summary>
    /// The final response is out and only retransmissions remain to be absorbed for <paramref name="lifetime"/>: over a
    /// zero lifetime (reliable transports) the transaction ends now; an RFC 3261 one (magic cookie) is handed to the
    /// layer's compact lingering table (this object keeps its state but leaves the table); an RFC 2543 one keeps its timer.
    /// </summary>
    protected void Linger(TimeSpan lifetime, SipResponse? resend)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            Terminate();
            return;
        }

        if (Request.TopVia?.HasMagicCookie != true)
        {
            StopTimers();
            StartTimer(lifetime, Terminate);
            return;
        }

        StopTimers();
        Layer.Linger(this, lifetime, resend);
    }
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
        if (State == SipTransactionState.Accepted && response.IsSuccess)
        {
            // RFC 6026 §7.1: 2xx retransmissions from the TU go out unchanged in Accepted.
            Layer.Transport.SendResponse(response);
            return;
        }

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
            Linger(Timers.Timeout, null); // timer L: INVITE retransmissions are absorbed, the ACK goes to the TU
            return;
        }

        State = SipTransactionState.Completed;
        if (!Reliable)
        {
            _intervalG = Timers.T1;
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
                _timerG = null;
                Linger(Timers.TimerIK(Reliable), null); // timer I: absorbs ACK retransmissions
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
        Linger(Timers.TimerJ(Reliable), response); // timer J: a retransmitted request gets this response again
    }

    public override void OnRetransmission(SipRequest request)
    {
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
        {
            Layer.Transport.SendResponse(LastResponse);
        }
    }
}
