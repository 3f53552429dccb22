using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transactions;

/// <summary>Common part of client and server transactions: key, request, peer, state and timers.</summary>
internal abstract class SipTransaction
{
    private readonly List<SipTimer> _timers = [];

    protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request, IPEndPoint remote, SipTransactionState initial)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Remote = remote;
        State = initial;
    }

    /// <summary>True over TCP/TLS (the request arrived on a connection, or its top Via names a stream transport once the
    /// transport chose one; evaluated when asked, because a large request may move to TCP): no retransmission timers,
    /// and the absorb-retransmission timers (D, I, J, K) are zero.</summary>
    public bool Reliable => Request.Connection is not null || Request.TopVia?.Transport is "TCP" or "TLS";

    protected SipTransactionLayer Layer { get; }

    public string Key { get; }

    public SipRequest Request { get; }

    public IPEndPoint Remote { get; }

    public SipTransactionState State { get; protected set; }

    protected SipTimerSettings Timers => Layer.Timers;

    /// <summary>Starts a timer that ends the transaction; a zero duration (reliable transports) ends it right away.</summary>
    protected void TerminateAfter(TimeSpan due)
    {
        if (due <= TimeSpan.Zero)
        {
            Terminate();
            return;
        }

        StartTimer(due, Terminate);
    }

    /// <summary>
    /// The request travels over TCP/TLS (it arrived on a connection, or our top Via says so once sent): the
    /// retransmission timers A, E and G do not run then (§17.1.1.2, §17.1.2.2, §17.2.1).
    /// </summary>
    protected bool IsReliable => Reliable;

    protected SipTimer StartTimer(TimeSpan due, Action callback)
    {
        var t = SipTimer.Start(Layer.Time, Layer.Scheduler, due, callback);
        _timers.Add(t);
        return t;
    }

    protected static void Stop(ref SipTimer? timer)
    {
        timer?.Dispose();
        timer = null;
    }

    /// <summary>Cancels every timer of this transaction (it moves to the layer's lingering table or restarts one).</summary>
    protected void StopTimers()
    {
        foreach (var t in _timers)
        {
            t.Dispose();
        }

        _timers.Clear();
    }

    /// <summary>Stops the transaction at once, without sending anything more (a failed-over INVITE whose server never answered).</summary>
    internal void Abandon() => Terminate();

    protected void Terminate()
    {
        if (State == SipTransactionState.Terminated)
        {
            return;
        }

        State = SipTransactionState.Terminated;
        foreach (var t in _timers)
        {
            t.Dispose();
        }

        _timers.Clear();
        Layer.Remove(this);
        OnTerminated();
    }

    protected virtual void OnTerminated()
    {
    }
}
