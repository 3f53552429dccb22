using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Sdp;
using Pipeline.Sip.Transactions;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Calls;

/// <summary>
/// The transaction user of an endpoint: validates incoming requests (§8.2), answers OPTIONS and what we do not
/// support, routes in-dialog requests to their call (481 otherwise) and creates calls for new INVITEs.
/// Runs on the work queue only.
/// </summary>
internal sealed class SipUserAgent : ISipTransactionUser
{
    public const string AllowValue = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY";

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE",
    };

    private readonly Dictionary<string, Call> _dialogs = new(StringComparer.Ordinal);
    private readonly List<Call> _calls = [];
    private Call[] _snapshot = [];

    public SipUserAgent(EndpointOptions options, ICallMediaFactory factory, ILoggerFactory loggerFactory, ISipTransport transport, SipWorkQueue queue)
    {
        Options = options;
        MediaFactory = factory;
        LoggerFactory = loggerFactory;
        Log = loggerFactory.CreateLogger("Pipeline.Sip.Endpoint");
        Transport = transport;
        Queue = queue;
        Timers = new SipTimerSettings(options.T1, options.T2, options.T4);
        Layer = new SipTransactionLayer(transport, queue, options.TimeProvider, Timers, loggerFactory.CreateLogger("Pipeline.Sip.Transactions"))
        {
            User = this,
            MaxServerTransactions = options.MaxServerTransactions,
            MaxLingeringServerTransactions = options.MaxCompletedTransactions,
            OverloadRetryAfterSeconds = (int)options.OverloadRetryAfter.TotalSeconds,
        };
        Negotiator = new SdpNegotiator(options.Codecs, options.UserName, options.CodecRegistry);
        Authenticator = options.Credentials is { } credentials ? new Auth.DigestAuthenticator(credentials) : null;
        var local = transport.LocalEndPoint;
        ContactAddress = local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any) ? GuessLocalAddress() : local.Address;
        ContactUri = SipUri.Create(options.UserName, new IPEndPoint(ContactAddress, local.Port));
    }

    public EndpointOptions Options { get; }

    public ICallMediaFactory MediaFactory { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Log { get; }

    public ISipTransport Transport { get; }

    public SipWorkQueue Queue { get; }

    public SipTimerSettings Timers { get; }

    public SipTransactionLayer Layer { get; }

    public SdpNegotiator Negotiator { get; }

    /// <summary>Answers 401/407 challenges to our requests; null when no credentials are configured.</summary>
    public Auth.DigestAuthenticator? Authenticator { get; }

    /// <summary>
    /// Builds the resend of <paramref name="request"/> after a 401/407 (RFC 3261 §22.2): same Call-ID, tags and body,
    /// CSeq + 1 (or <paramref name="cseq"/>: in a dialog, the dialog's next number), a new branch, and an
    /// Authorization/Proxy-Authorization per challenged realm. Null (with the reason) when there are no credentials
    /// or they were already refused for this request (same realm again without stale=true, or stale=true with the
    /// nonce just answered: no loop).
    /// </summary>
    public SipRequest? CreateAuthenticatedRetry(SipRequest request, SipResponse challenge, ref IReadOnlyList<Auth.DigestAuthorization> previous, out string? error, Func<uint>? cseq = null)
    {
        if (Authenticator is null)
        {
            error = "the server asks for credentials and none are configured";
            return null;
        }

        string challengeHeader = challenge.StatusCode == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
        string answerHeader = challenge.StatusCode == 401 ? "Authorization" : "Proxy-Authorization";
        if (!Authenticator.TryAnswer(challenge.GetValues(challengeHeader), previous, request.Method, request.RequestUriText, request.Body, out var answers, out error))
        {
            return null;
        }

        var retry = new SipRequest(request.Method, request.Uri!);
        foreach (var h in request.Headers)
        {
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.CSeq or "Authorization" or "Proxy-Authorization") continue;
            retry.AddHeader(h.Name, h.Value);
        }

        retry.SetHeader(SipHeaderNames.CSeq, new SipCSeq(cseq?.Invoke() ?? request.CSeq.Number + 1, request.Method).ToString());
        foreach (var a in answers) retry.AddHeader(answerHeader, a.HeaderValue);
        retry.Body = request.Body;
        previous = answers;
        return retry;
    }

    /// <summary>
    /// Sends a request outside a dialog (OPTIONS, MESSAGE…) to the first of <paramref name="targets"/>: the next on a
    /// timeout or 503 (RFC 3263 §4.3), credentials on a 401/407 (CSeq + 1, no loop). On the queue.
    /// </summary>
    public Task<SipRequestResult> SendOutOfDialog(SipUri target, string method, List<(string Name, string Value)> headers, string? contentType, byte[] body, IReadOnlyList<(IPEndPoint Destination, string? Route)> targets)
    {
        var req = new SipRequest(method, target.WithoutHeaders());
        req.AddHeader(SipHeaderNames.MaxForwards, SipMessageFactory.Format(Options.MaxForwards));
        var local = SipUri.Create(Options.UserName, ContactUri.Host, ContactUri.Port);
        var from = new SipNameAddr(local, Options.DisplayName is null ? null : "\"" + Options.DisplayName + "\"").WithTag(SipMessageFactory.NewTag());
        req.AddHeader(SipHeaderNames.From, from.ToString());
        req.AddHeader(SipHeaderNames.To, "<" + target.WithoutHeaders() + ">");
        req.AddHeader(SipHeaderNames.CallId, SipMessageFactory.NewCallId(ContactUri.Host.Trim('[', ']')));
        req.AddHeader(SipHeaderNames.CSeq, new SipCSeq((uint)Random.Shared.Next(1, 10000), method).ToString());
        if (!headers.Exists(h => h.Name == SipHeaderNames.Contact) && method is "OPTIONS" or "SUBSCRIBE" or "REFER" or "NOTIFY")
        {
            req.AddHeader(SipHeaderNames.Contact, ContactHeader);
        }

        foreach (var (name, value) in headers) req.AddHeader(name, value);
        req.AddHeader(SipHeaderNames.UserAgent, Options.UserAgent);
        if (body.Length > 0)
        {
            req.AddHeader(SipHeaderNames.ContentType, contentType!);
            req.Body = body;
        }

        var tcs = new TaskCompletionSource<SipRequestResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        IReadOnlyList<Auth.DigestAuthorization> tried = [];
        int index = 0;
        void Send(SipRequest request)
        {
            var (destination, route) = targets[index];
            request.RemoveHeader(SipHeaderNames.Route);
            if (route is not null) request.InsertHeader(1, SipHeaderNames.Route, route);
            Layer.SendRequest(request, destination, r =>
            {
                if (r.IsProvisional) return;
                string? authError = null;
                if (r.StatusCode is 401 or 407)
                {
                    if (CreateAuthenticatedRetry(request, r, ref tried, out authError) is { } retry)
                    {
                        Send(retry);
                        return;
                    }

                    Log.LogWarning("{Method} to {Target} answered {Status} and not retried: {Why}", method, target, r.StatusCode, authError);
                }
                else if (r.StatusCode == 503 && index + 1 < targets.Count)
                {
                    Log.LogWarning("{Method} to {Target}: 503 from {Server}; trying the next server", method, target, destination);
                    index++;
                    Send(Resend(request));
                    return;
                }

                tcs.TrySetResult(SipRequestResult.From(request, r, authError));
            }, why =>
            {
                if (index + 1 < targets.Count)
                {
                    Log.LogWarning("{Method} to {Target}: no answer from {Server}; trying the next server", method, target, destination);
                    index++;
                    Send(Resend(request));
                    return;
                }

                tcs.TrySetResult(SipRequestResult.Timeout(request, why));
            });
        }

        Send(req);
        return tcs.Task;
    }

    /// <summary>The same request for another server: CSeq + 1 and (when sent) a new branch; no credentials (another server, another challenge).</summary>
    private static SipRequest Resend(SipRequest request)
    {
        var next = new SipRequest(request.Method, request.Uri!);
        foreach (var h in request.Headers)
        {
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.CSeq or "Authorization" or "Proxy-Authorization") continue;
            next.AddHeader(h.Name, h.Value);
        }

        next.SetHeader(SipHeaderNames.CSeq, new SipCSeq(request.CSeq.Number + 1, request.Method).ToString());
        next.Body = request.Body;
        return next;
    }

    public IPAddress ContactAddress { get; }

    public SipUri ContactUri { get; }

    public string ContactHeader => "<" + ContactUri + ">";

    public Action<Call>? IncomingCall { get; set; }

    public IReadOnlyCollection<Call> Calls => Volatile.Read(ref _snapshot);

    public IReadOnlyList<Call> LiveCalls => _calls;

    public void AddCall(Call call)
    {
        _calls.Add(call);
        Volatile.Write(ref _snapshot, [.. _calls]);
    }

    public void RemoveCall(Call call)
    {
        _calls.Remove(call);
        if (call.Dialog is { } d)
        {
            _dialogs.Remove(d.Id);
        }

        Volatile.Write(ref _snapshot, [.. _calls]);
    }

    public void RegisterDialog(SipDialog dialog, Call call) => _dialogs[dialog.Id] = call;

    public void UnregisterDialog(SipDialog dialog) => _dialogs.Remove(dialog.Id);

    /// <summary>Our RTP address for SDP: the session's, with a wildcard replaced by the Contact address.</summary>
    public IPEndPoint SdpEndPoint(ICallMediaSession media)
    {
        var ep = media.LocalRtpEndPoint;
        return ep.Address.Equals(IPAddress.Any) || ep.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(ContactAddress, ep.Port) : ep;
    }

    /// <summary>A response with our tag and Server header; INVITE 1xx/2xx also get Contact.</summary>
    public SipResponse CreateResponse(SipServerTransaction tx, int status, string? reason = null)
    {
        var r = tx.CreateResponse(status, reason);
        r.AddHeader(SipHeaderNames.Server, Options.UserAgent);
        if (tx.Request.Method == "INVITE" && status is > 100 and < 300)
        {
            r.AddHeader(SipHeaderNames.Contact, ContactHeader);
        }

        if (status is 405 or 501 || (status == 200 && tx.Request.Method is "INVITE" or "OPTIONS"))
        {
            r.AddHeader(SipHeaderNames.Allow, AllowValue);
        }

        return r;
    }

    public void Respond(SipServerTransaction tx, int status, string? reason = null, Action<SipResponse>? customize = null)
    {
        var r = CreateResponse(tx, status, reason);
        customize?.Invoke(r);
        tx.SendResponse(r);
    }

    public void OnRequest(SipServerTransaction tx)
    {
        try
        {
            OnRequestCore(tx);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Error handling {Method} {CallId}", tx.Request.Method, tx.Request.CallId);
            if (!tx.IsFinal)
            {
                Respond(tx, 500, "Server Internal Error");
            }
        }
    }

    private void OnRequestCore(SipServerTransaction tx)
    {
        var req = tx.Request;
        var method = req.Method;

        // §8.2.1 method inspection.
        if (!SipMethodAllowed(method))
        {
            var known = KnownMethods.Contains(method);
            Respond(tx, known ? 405 : 501, known ? $"Method {method} Not Allowed" : $"Method {method} Not Implemented");
            return;
        }

        // §8.2.2.1 Request-URI scheme.
        if (req.Uri is null)
        {
            var scheme = req.RequestUriText.Split(':')[0];
            Respond(tx, 416, $"Unsupported URI Scheme {scheme}");
            return;
        }

        // §8.2.2.3 Require.
        var unsupported = req.GetTokens(SipHeaderNames.Require);
        if (unsupported.Count > 0)
        {
            Respond(tx, 420, "Bad Extension " + string.Join(", ", unsupported), r => r.AddHeader(SipHeaderNames.Unsupported, string.Join(", ", unsupported)));
            return;
        }

        // §8.2.3 content processing.
        if (req.Body.Length > 0 && method is "INVITE" or "OPTIONS" or "BYE")
        {
            var ct = req.ContentType;
            if (ct is not null && ct.StartsWith("multipart/", StringComparison.Ordinal) &&
                SipMultipart.FindPart(req.Body, req.GetHeader(SipHeaderNames.ContentType)!, "application/sdp") is { } sdpPart)
            {
                // RFC 5621: take the SDP part of a multipart body as the session description.
                req.Body = sdpPart;
                req.SetHeader(SipHeaderNames.ContentType, "application/sdp");
                ct = "application/sdp";
            }

            if (ct != "application/sdp")
            {
                Respond(tx, 415, ct is null ? "Body Without Content-Type" : $"Unsupported Media Type {ct}", r => r.AddHeader(SipHeaderNames.Accept, "application/sdp"));
                return;
            }

            var encoding = req.GetTokens(SipHeaderNames.ContentEncoding);
            if (encoding.Exists(e => !string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase)))
            {
                Respond(tx, 415, "Unsupported Content-Encoding", r => r.AddHeader("Accept-Encoding", "identity"));
                return;
            }
        }

        if (method == "OPTIONS")
        {
            Respond(tx, 200, null, r =>
            {
                r.AddHeader(SipHeaderNames.Accept, "application/sdp");
                r.AddHeader(SipHeaderNames.Supported, "");
                r.AddHeader(SipHeaderNames.Contact, ContactHeader);
            });
            return;
        }

        var toTag = req.To.Tag;
        if (toTag is not null)
        {
            if (_dialogs.TryGetValue(SipDialog.Key(req.CallId, toTag, req.From.Tag ?? ""), out var call))
            {
                call.OnInDialogRequest(tx);
            }
            else
            {
                Respond(tx, 481, "Call/Transaction Does Not Exist (no such dialog)");
            }

            return;
        }

        if (method != "INVITE")
        {
            Respond(tx, 481, $"Call/Transaction Does Not Exist ({method} outside a dialog)");
            return;
        }

        OnNewInvite(tx);
    }

    // NOTIFY: the implicit subscription of a REFER we sent (RFC 3515 §2.4.4); outside a dialog it gets 481.
    private static bool SipMethodAllowed(string method) => method is "INVITE" or "ACK" or "CANCEL" or "BYE" or "OPTIONS" or "NOTIFY";

    private void OnNewInvite(SipServerTransaction tx)
    {
        var req = tx.Request;
        if (!AcceptsSdp(req))
        {
            Respond(tx, 406, "Not Acceptable (Accept excludes application/sdp)", r => r.AddHeader(SipHeaderNames.Accept, "application/sdp"));
            return;
        }

        // RFC 2543 peers may omit Contact: the From URI is the remote target then.
        if (req.Contacts.Count > 1 || (req.Contacts.Count == 1 && req.Contacts[0].Uri is null) || (req.Contacts.Count == 0 && req.From.Uri is null))
        {
            Respond(tx, 400, "Bad Contact Header (need one SIP URI)");
            return;
        }

        if (req.From.Tag is null)
        {
            Log.LogDebug("INVITE {CallId} without From tag (RFC 2543 peer)", req.CallId);
        }

        SdpSessionDescription? offer = null;
        if (req.Body.Length > 0)
        {
            if (!SdpSessionDescription.TryParse(req.Body, out offer, out var sdpError))
            {
                Respond(tx, 400, $"Malformed SDP ({sdpError})");
                return;
            }

            // Reject early when nothing can be agreed, before ringing.
            if (!Negotiator.TryCreateAnswer(offer!, new SdpSessionState("0"), new IPEndPoint(IPAddress.Loopback, 9), Media.MediaDirection.SendRecv, out _, out _, out var warn, out var why))
            {
                Respond(tx, 488, "Not Acceptable Here (" + why + ")", r => r.AddHeader(SipHeaderNames.Warning, $"{warn} {ContactUri.Host} \"{why}\""));
                return;
            }
        }

        if (_calls.Count >= Options.MaxDialogs)
        {
            Respond(tx, 503, "Service Unavailable (too many calls)", r => r.AddHeader("Retry-After", SipMessageFactory.Format((int)Options.OverloadRetryAfter.TotalSeconds)));
            return;
        }

        var call = new Call(this, CallDirection.Incoming, req.CallId, req.From.UriText);
        AddCall(call);
        call.StartIncoming((InviteServerTransaction)tx, offer);
    }

    private static bool AcceptsSdp(SipRequest req)
    {
        if (req.GetHeader(SipHeaderNames.Accept) is null)
        {
            return true;
        }

        foreach (var v in req.GetTokens(SipHeaderNames.Accept))
        {
            var mt = v.Split(';')[0].Trim().ToLowerInvariant();
            if (mt is "application/sdp" or "application/*" or "*/*")
            {
                return true;
            }
        }

        return false;
    }

    public void OnAck(SipRequest ack, IPEndPoint remote)
    {
        if (ack.To.Tag is { } tag && _dialogs.TryGetValue(SipDialog.Key(ack.CallId, tag, ack.From.Tag ?? ""), out var call))
        {
            call.OnAck(ack);
        }
        else
        {
            Log.LogDebug("Stray ACK for {CallId} dropped", ack.CallId);
        }
    }

    public void OnCancel(InviteServerTransaction invite, SipRequest cancel)
    {
        foreach (var call in _calls)
        {
            if (call.PendingInvite == invite)
            {
                call.OnCancelled();
                return;
            }
        }

        Respond(invite, 487, "Request Terminated");
    }

    public void OnStrayResponse(SipResponse response, IPEndPoint remote)
    {
        if (response.IsSuccess && response.CSeq.Method == "INVITE" && response.To.Tag is { } tag &&
            _dialogs.TryGetValue(SipDialog.Key(response.CallId, response.From.Tag ?? "", tag), out var call))
        {
            call.OnStraySuccess(response);
        }
    }

    private static IPAddress GuessLocalAddress()
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9));
            return ((IPEndPoint)s.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return IPAddress.Loopback;
        }
    }
}
