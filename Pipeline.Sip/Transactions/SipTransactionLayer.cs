using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Transactions;

/// <summary>
/// Creates, matches (§17.1.3, §17.2.3) and removes transactions. Everything runs on <see cref="Scheduler"/>:
/// call <see cref="OnMessage"/> from there, and every callback comes back from there.
/// </summary>
internal sealed class SipTransactionLayer
{
    private readonly Dictionary<string, SipClientTransaction> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipServerTransaction> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _merged = new(StringComparer.Ordinal);
    private readonly LingeringServerTransactionTable _lingering;
    private readonly ILogger _log;

    public SipTransactionLayer(ISipTransport transport, ISipScheduler scheduler, TimeProvider time, SipTimerSettings timers, ILogger? log = null)
    {
        Transport = transport;
        Scheduler = scheduler;
        Time = time;
        Timers = timers;
        _log = log ?? NullLogger.Instance;
        _lingering = new LingeringServerTransactionTable(time, scheduler, OnLingeringRemoved);
    }

    public ISipTransport Transport { get; }

    public ISipScheduler Scheduler { get; }

    public TimeProvider Time { get; }

    public SipTimerSettings Timers { get; }

    public ISipTransactionUser? User { get; set; }

    public int ClientCount => _clients.Count;

    /// <summary>Server transactions known: live ones plus completed ones waiting out retransmissions.</summary>
    public int ServerCount => _servers.Count + _lingering.Count;

    /// <summary>Server transactions still working (no final response yet, or an INVITE error response waiting for its ACK).</summary>
    public int LiveServerCount => _servers.Count;

    /// <summary>Completed server transactions kept as compact records to absorb retransmissions (timers I, J, L).</summary>
    public int LingeringServerCount => _lingering.Count;

    /// <summary>
    /// Most live server transactions at once; beyond it new requests get a stateless 503 (10% kept for in-dialog
    /// requests and CANCEL). Completed transactions do not count: see <see cref="MaxLingeringServerTransactions"/>.
    /// </summary>
    public int MaxServerTransactions { get; init; } = int.MaxValue;

    /// <summary>Most completed server transactions remembered; beyond it the one closest to expiry is forgotten early.</summary>
    public int MaxLingeringServerTransactions
    {
        get => _lingering.Capacity;
        init => _lingering = new LingeringServerTransactionTable(Time, Scheduler, OnLingeringRemoved) { Capacity = value };
    }

    /// <summary>Completed server transactions forgotten before their time because the lingering table was full.</summary>
    public long EvictedLingering => _lingering.Evicted;

    /// <summary>Retry-After of the 503 sent when the table is full.</summary>
    public int OverloadRetryAfterSeconds { get; init; } = 5;

    /// <summary>How many requests got 503 because the table was full.</summary>
    public long RejectedOverload { get; private set; }

    /// <summary>Adds our Via (new branch, rport) unless the request already has one.</summary>
    public void EnsureVia(SipRequest request)
    {
        if (request.GetHeader(SipHeaderNames.Via) is null)
        {
            var local = Transport.LocalEndPoint;
            var via = new SipVia(Transport.Protocol, SipUri.Create(null, local).Host, local.Port, SipMessageFactory.NewBranch());
            via.Parameters.Set("rport", null);
            request.InsertHeader(0, SipHeaderNames.Via, via.ToString());
        }
    }

    /// <summary>Starts a client transaction for <paramref name="request"/> towards <paramref name="destination"/>.</summary>
    public SipClientTransaction SendRequest(SipRequest request, IPEndPoint destination, Action<SipResponse> onResponse, Action<string> onFailure)
    {
        EnsureVia(request);
        var key = ClientKey(request.TopVia!.Branch ?? "", request.CSeq.Method);
        SipClientTransaction tx = request.Method == "INVITE"
            ? new InviteClientTransaction(this, key, request, destination)
            : new NonInviteClientTransaction(this, key, request, destination);
        tx.ResponseReceived = onResponse;
        tx.Failed = onFailure;
        _clients[key] = tx;
        tx.Start();
        return tx;
    }

    /// <summary>Sends a request outside any transaction (ACK for 2xx).</summary>
    public void SendStateless(SipRequest request, IPEndPoint destination)
    {
        EnsureVia(request);
        Transport.Send(request, destination);
    }

    /// <summary>A request could not be sent (refused connection, failed TLS handshake): fails its client transaction (§8.1.3.1).</summary>
    public void OnTransportError(SipRequest request, string reason)
    {
        if (request.TopVia?.Branch is { } branch && _clients.TryGetValue(ClientKey(branch, request.CSeq.Method), out var tx) && tx.Request == request)
        {
            tx.OnTransportError(reason);
        }
    }

    public void OnMessage(SipMessage message, IPEndPoint remote)
    {
        if (message is SipResponse response)
        {
            var via = response.TopVia;
            var clientKey = ClientKey(via?.Branch ?? "", response.CSeq.Method);
            if (_clients.TryGetValue(clientKey, out var ctx))
            {
                ctx.OnResponse(response);
            }
            else
            {
                User?.OnStrayResponse(response, remote);
            }

            return;
        }

        var request = (SipRequest)message;
        var method = request.Method;
        bool isAck = method == "ACK";
        var key = ServerKey(request, isAck ? "INVITE" : method);
        var existing = MatchAs(request, key, isAck);
        if (existing is not null)
        {
            if (isAck && existing.State == SipTransactionState.Accepted)
            {
                // The ACK of a 2xx belongs to the TU (RFC 6026); RFC 2543 peers may even reuse the INVITE's Via for it.
                User?.OnAck(request, remote);
                return;
            }

            existing.OnRetransmission(request);
            return;
        }

        if (_lingering.Count > 0 && _lingering.TryGet(key, out var done))
        {
            OnLingeringRetransmission(done, request, remote, isAck);
            return;
        }

        if (isAck)
        {
            User?.OnAck(request, remote);
            return;
        }

        var toTag = request.To.Tag;
        if (_servers.Count >= (toTag is null && method != "CANCEL" ? MaxServerTransactions - (MaxServerTransactions / 10) : MaxServerTransactions))
        {
            // Full: answer statelessly so that the table does not grow (a retransmission gets the same answer).
            RejectedOverload++;
            var busy = SipMessageFactory.CreateResponse(request, 503, "Service Unavailable (too many transactions)", toTag ?? SipMessageFactory.NewTag());
            busy.AddHeader("Retry-After", SipMessageFactory.Format(OverloadRetryAfterSeconds));
            Transport.SendResponse(busy);
            return;
        }

        var serverKey = key;
        if (_servers.ContainsKey(serverKey))
        {
            // RFC 2543 key that matched on everything but the To tag: a different transaction.
            serverKey += "|" + toTag;
        }

        SipServerTransaction stx = method == "INVITE"
            ? new InviteServerTransaction(this, serverKey, request, remote)
            : new NonInviteServerTransaction(this, serverKey, request, remote);
        _servers[serverKey] = stx;

        // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq as a live transaction, which this one did not match.
        if (toTag is null && method != "CANCEL" && request.From.Tag is { } fromTag)
        {
            var mergeKey = fromTag + "|" + request.CallId + "|" + request.CSeq.ToString();
            if (_merged.TryGetValue(mergeKey, out var firstKey) && (_servers.ContainsKey(firstKey) || _lingering.Contains(firstKey)))
            {
                stx.SendResponse(stx.CreateResponse(482, "Loop Detected (merged request)"));
                return;
            }

            _merged[mergeKey] = serverKey;
            stx.MergeKey = mergeKey;
        }

        if (method == "CANCEL")
        {
            HandleCancel(stx, request);
            return;
        }

        User?.OnRequest(stx);
        if (method == "INVITE" && !stx.HasResponded)
        {
            // §17.2.1: 100 Trying unless the TU answers within 200 ms; one that answered (180, 2xx, error) as it was
            // handed the request needs none (a datagram and a response build saved per call).
            stx.SendResponse(stx.CreateResponse(100));
        }
    }

    /// <summary>A request that matched a completed transaction: resend its final response, or absorb it (RFC 3261 §17.2, RFC 6026).</summary>
    private void OnLingeringRetransmission(LingeringServerTransaction done, SipRequest request, IPEndPoint remote, bool isAck)
    {
        if (isAck)
        {
            if (done.State == SipTransactionState.Accepted)
            {
                User?.OnAck(request, remote); // the ACK of a 2xx belongs to the TU
            }

            return; // Confirmed: absorbed
        }

        if (done.Response is { } bytes && done.Destination is { } destination)
        {
            Transport.SendDatagram(bytes, destination);
        }
    }

    /// <summary>
    /// Replaces a server transaction whose final response is out by a compact record kept for <paramref name="lifetime"/>
    /// (timer I, J or L) that answers retransmissions with <paramref name="resend"/> (encoded once), or absorbs them when null.
    /// The transaction object is detached: it keeps its state for the TU that still holds it, but no timer and no table entry.
    /// </summary>
    internal void Linger(SipServerTransaction tx, TimeSpan lifetime, SipResponse? resend)
    {
        if (!_servers.Remove(tx.Key))
        {
            return;
        }

        byte[]? bytes = null;
        System.Net.IPEndPoint? destination = null;
        if (resend is not null && resend.Connection is null)
        {
            destination = SipResponseRouting.Destination(resend);
            bytes = destination is null ? null : SipWriter.Write(resend);
        }

        long expires = _lingering.ExpiryFromNow(lifetime, out long units);
        _lingering.Add(new LingeringServerTransaction(tx.Key, tx.State, bytes, destination, tx.Request.Method == "INVITE" ? tx.LocalTag : null, tx.MergeKey, expires), units);
    }

    private void OnLingeringRemoved(LingeringServerTransaction entry)
    {
        if (entry.MergeKey is { } mk && _merged.TryGetValue(mk, out var k) && k == entry.Key)
        {
            _merged.Remove(mk);
        }
    }

    /// <summary>§17.2.3: the live server transaction filed under <paramref name="key"/> that a request belongs to (ACK matches its INVITE's), or null.</summary>
    private SipServerTransaction? MatchAs(SipRequest request, string key, bool isAck)
    {
        var via = request.TopVia!;
        if (!_servers.TryGetValue(key, out var tx))
        {
            return null;
        }

        if (via.HasMagicCookie)
        {
            return tx;
        }

        // RFC 2543: the To tag must match too: the request's for INVITE/CANCEL/others, our response's for ACK.
        var toTag = request.To.Tag;
        if (isAck)
        {
            return tx.IsFinal && toTag == tx.LocalTag ? tx : null;
        }

        if (tx.Request.To.Tag == toTag)
        {
            return tx;
        }

        return _servers.TryGetValue(key + "|" + toTag, out var other) ? other : null;
    }

    private void HandleCancel(SipServerTransaction cancelTx, SipRequest cancel)
    {
        // §9.2: the CANCEL matches the INVITE by the §17.2.3 rules, method aside.
        var inviteKey = ServerKey(cancel, "INVITE");
        if (MatchAs(cancel, inviteKey, isAck: false) is InviteServerTransaction invite)
        {
            cancelTx.LocalTag = invite.LocalTag;
            cancelTx.SendResponse(cancelTx.CreateResponse(200));
            if (!invite.IsFinal)
            {
                User?.OnCancel(invite, cancel);
            }

            return;
        }

        if (_lingering.TryGet(inviteKey, out var answered) && answered.LocalTag is { } tag)
        {
            // The INVITE already has its final response: 200 for the CANCEL, nothing else (§9.2).
            cancelTx.LocalTag = tag;
            cancelTx.SendResponse(cancelTx.CreateResponse(200));
            return;
        }

        cancelTx.SendResponse(cancelTx.CreateResponse(481, "Call/Transaction Does Not Exist (no INVITE to cancel)"));
    }

    internal void Remove(SipTransaction tx)
    {
        if (tx is SipClientTransaction)
        {
            _clients.Remove(tx.Key);
        }
        else
        {
            _servers.Remove(tx.Key);
            if (((SipServerTransaction)tx).MergeKey is { } mk && _merged.TryGetValue(mk, out var m) && m == tx.Key)
            {
                _merged.Remove(mk);
            }
        }

        _log.LogTrace("Transaction {Key} terminated", tx.Key);
    }

    private static string ClientKey(string branch, string method) => branch + "|" + method;

    /// <summary>
    /// §17.2.3: branch, sent-by and method with the magic cookie; for RFC 2543 requests Request-URI, From tag,
    /// Call-ID, CSeq number, top Via and method (the To tag is checked after the look-up, see <see cref="MatchAs"/>).
    /// </summary>
    private static string ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia!;
        if (via.HasMagicCookie)
        {
            return via.Branch + "|" + via.SentBy + "|" + method;
        }

        return "2543|" + request.RequestUriText + "|" + request.From.Tag + "|" + request.CallId + "|" + request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) +
               "|" + via.Transport + "/" + via.SentBy + ";" + via.Branch + "|" + method;
    }
}
