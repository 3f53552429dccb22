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
    private readonly Dictionary<string, SipServerTransaction> _merged = new(StringComparer.Ordinal);
    private readonly ILogger _log;

    public SipTransactionLayer(ISipTransport transport, ISipScheduler scheduler, TimeProvider time, SipTimerSettings timers, ILogger? log = null)
    {
        Transport = transport;
        Scheduler = scheduler;
        Time = time;
        Timers = timers;
        _log = log ?? NullLogger.Instance;
    }

    public ISipTransport Transport { get; }

    public ISipScheduler Scheduler { get; }

    public TimeProvider Time { get; }

    public SipTimerSettings Timers { get; }

    public ISipTransactionUser? User { get; set; }

    public int ClientCount => _clients.Count;

    public int ServerCount => _servers.Count;

    /// <summary>Most server transactions alive at once; beyond it new requests get a stateless 503 (10% kept for in-dialog requests and CANCEL).</summary>
    public int MaxServerTransactions { get; init; } = int.MaxValue;

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
            var key = ClientKey(via?.Branch ?? "", response.CSeq.Method);
            if (_clients.TryGetValue(key, out var ctx))
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
        var existing = Match(request);
        if (existing is not null)
        {
            if (request.Method == "ACK" && existing.State == SipTransactionState.Accepted)
            {
                // The ACK of a 2xx belongs to the TU (RFC 6026); RFC 2543 peers may even reuse the INVITE's Via for it.
                User?.OnAck(request, remote);
                return;
            }

            existing.OnRetransmission(request);
            return;
        }

        if (request.Method == "ACK")
        {
            User?.OnAck(request, remote);
            return;
        }

        var method = request.Method;
        var toTag = request.To.Tag;
        if (ServerCount >= (toTag is null && method != "CANCEL" ? MaxServerTransactions - (MaxServerTransactions / 10) : MaxServerTransactions))
        {
            // Full: answer statelessly so that the table does not grow (a retransmission gets the same answer).
            RejectedOverload++;
            var busy = SipMessageFactory.CreateResponse(request, 503, "Service Unavailable (too many transactions)", toTag ?? SipMessageFactory.NewTag());
            busy.AddHeader("Retry-After", SipMessageFactory.Format(OverloadRetryAfterSeconds));
            Transport.SendResponse(busy);
            return;
        }

        var serverKey = ServerKey(request, method);
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
            if (_merged.TryGetValue(mergeKey, out var first) && first.State != SipTransactionState.Terminated)
            {
                stx.SendResponse(stx.CreateResponse(482, "Loop Detected (merged request)"));
                return;
            }

            _merged[mergeKey] = stx;
            stx.MergeKey = mergeKey;
        }

        if (method == "INVITE")
        {
            stx.SendResponse(stx.CreateResponse(100));
        }

        if (method == "CANCEL")
        {
            HandleCancel(stx, request);
            return;
        }

        User?.OnRequest(stx);
    }

    /// <summary>§17.2.3: the server transaction a request belongs to (ACK matches its INVITE's), or null.</summary>
    private SipServerTransaction? Match(SipRequest request) =>
        MatchAs(request, request.Method == "ACK" ? "INVITE" : request.Method, isAck: request.Method == "ACK");

    private SipServerTransaction? MatchAs(SipRequest request, string method, bool isAck)
    {
        var via = request.TopVia!;
        if (!_servers.TryGetValue(ServerKey(request, method), out var tx))
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

        return _servers.TryGetValue(ServerKey(request, method) + "|" + toTag, out var other) ? other : null;
    }

    private void HandleCancel(SipServerTransaction cancelTx, SipRequest cancel)
    {
        // §9.2: the CANCEL matches the INVITE by the §17.2.3 rules, method aside.
        if (MatchAs(cancel, "INVITE", isAck: false) is InviteServerTransaction invite)
        {
            cancelTx.LocalTag = invite.LocalTag;
            cancelTx.SendResponse(cancelTx.CreateResponse(200));
            if (!invite.IsFinal)
            {
                User?.OnCancel(invite, cancel);
            }

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
            if (((SipServerTransaction)tx).MergeKey is { } mk && _merged.TryGetValue(mk, out var m) && m == tx)
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
