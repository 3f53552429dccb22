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
        var serverKey = ServerKey(request, request.Method == "ACK" ? "INVITE" : request.Method);
        if (_servers.TryGetValue(serverKey, out var existing))
        {
            if (request.Method == "ACK" && existing.State == SipTransactionState.Accepted)
            {
                // RFC 2543 peers reuse the INVITE's Via for the ACK of a 2xx: it matches, but belongs to the TU.
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

        SipServerTransaction stx = request.Method == "INVITE"
            ? new InviteServerTransaction(this, serverKey, request, remote)
            : new NonInviteServerTransaction(this, serverKey, request, remote);
        _servers[serverKey] = stx;
        if (request.Method == "INVITE")
        {
            stx.SendResponse(stx.CreateResponse(100));
        }

        if (request.Method == "CANCEL")
        {
            HandleCancel(stx, request);
            return;
        }

        User?.OnRequest(stx);
    }

    private void HandleCancel(SipServerTransaction cancelTx, SipRequest cancel)
    {
        if (_servers.TryGetValue(ServerKey(cancel, "INVITE"), out var found) && found is InviteServerTransaction invite)
        {
            cancelTx.LocalTag = invite.LocalTag;
            cancelTx.SendResponse(cancelTx.CreateResponse(200));
            if (!invite.IsFinal)
            {
                User?.OnCancel(invite, cancel);
            }

            return;
        }

        cancelTx.SendResponse(cancelTx.CreateResponse(481));
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
        }

        _log.LogTrace("Transaction {Key} terminated", tx.Key);
    }

    private static string ClientKey(string branch, string method) => branch + "|" + method;

    /// <summary>§17.2.3 with the magic cookie; a simplified RFC 2543 key otherwise.</summary>
    private static string ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia!;
        if (via.HasMagicCookie)
        {
            return via.Branch + "|" + via.SentBy + "|" + method;
        }

        return "2543|" + request.CallId + "|" + SipMessageFactory.Format((int)request.CSeq.Number) + "|" + request.From.Tag + "|" + via.SentBy + "|" + via.Branch + "|" + method;
    }
}
