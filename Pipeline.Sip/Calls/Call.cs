using System.Net;
using Microsoft.Extensions.Logging;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Sdp;
using Pipeline.Sip.Transactions;

namespace Pipeline.Sip.Calls;

/// <summary>
/// One call (an INVITE dialog) and its media session. Methods may be called from any thread; the work is done on the
/// endpoint's signalling queue, and events are raised there too, so handlers must not block (start async work instead).
/// </summary>
public sealed class Call
{
    private readonly SipUserAgent _ua;
    private readonly SdpSessionState _sdp = SdpNegotiator.NewSession();
    private IReadOnlyList<string>? _reinviteCodecs;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _mediaReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<Call>? _establishTcs;
    private TaskCompletionSource? _answerTcs;
    private TaskCompletionSource? _reinviteTcs;
    private ICallMediaSession? _media;
    private int _mediaDisposed;
    private Task _mediaChain = Task.CompletedTask;

    // Signalling state (touched on the work queue only).
    private SipRequest? _invite;
    private IReadOnlyList<Auth.DigestAuthorization> _inviteAuthorizations = [];
    private IReadOnlyList<(IPEndPoint Destination, string? Route)> _targets = [];
    private int _targetIndex;
    private int _inviteAttempt;
    private bool _answeredAttempt;
    private ITimer? _failoverTimer;
    private SipClientTransaction? _inviteTx;
    private SipRequest? _reinviteRequest;
    private IReadOnlyList<Auth.DigestAuthorization> _reinviteAuthorizations = [];
    private IPEndPoint? _destination;
    private SipClientTransaction? _reinviteClient;
    private SdpSessionDescription? _remoteOffer;
    private SdpSessionDescription? _localOffer;
    private MediaDirection _offeredDirection = MediaDirection.SendRecv;
    private MediaDirection _localDirection = MediaDirection.SendRecv;
    private bool _awaitingAnswerInAck;
    private bool _initialAckPending;
    private SuccessResponseRetransmitter? _okRetransmitter;
    private SipRequest? _lastAck;
    private bool _gotProvisional;
    private bool _cancelRequested;
    private bool _cancelSent;
    private SipTimer? _cancelGuard;
    private SipTimer? _glareTimer;
    private SipTimer? _ringTimer;
    private int _glareAttempts;
    private readonly HashSet<uint> _referCSeqs = [];

    internal Call(SipUserAgent ua, CallDirection direction, string callId, string remoteUri)
    {
        _ua = ua;
        Direction = direction;
        CallId = callId;
        RemoteUri = remoteUri;
        State = direction == CallDirection.Incoming ? CallState.Incoming : CallState.Calling;
    }

    /// <summary>The SIP Call-ID.</summary>
    public string CallId { get; }

    public CallDirection Direction { get; }

    public CallState State { get; private set; }

    /// <summary>The peer's URI (From of an incoming call, the target of an outgoing one).</summary>
    public string RemoteUri { get; }

    /// <summary>The media half of the call (created before the first SDP is written).</summary>
    public ICallMediaSession Media => _media ?? throw new InvalidOperationException("The media session is not created yet.");

    /// <summary>The last negotiated media, or null before the first offer/answer completed.</summary>
    public NegotiatedMedia? CurrentMedia { get; private set; }

    /// <summary>Why the call ended, once it has.</summary>
    public CallEndReason? EndReason { get; private set; }

    /// <summary>Completes when the call has ended and its media session was disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Raised on every state change (on the signalling queue).</summary>
    public event EventHandler<CallState>? StateChanged;

    /// <summary>Raised after each completed offer/answer, once <see cref="ICallMediaSession.ApplyAsync"/> returned.</summary>
    public event EventHandler<NegotiatedMedia>? MediaChanged;

    /// <summary>Raised once when the call ends.</summary>
    public event EventHandler<CallEndReason>? Ended;

    internal SipDialog? Dialog { get; private set; }

    internal InviteServerTransaction? PendingInvite { get; private set; }

    internal Task MediaReady => _mediaReady.Task;

    private ILogger Log => _ua.Log;

    // ------------------------------------------------------------------ public API

    /// <summary>
    /// Answers an incoming call with 200 OK (an SDP answer, or an offer when the INVITE had none). Completes when the
    /// ACK arrived and the media was applied; throws <see cref="CallFailedException"/> if no ACK comes or the offer cannot be answered.
    /// </summary>
    public async Task AnswerAsync(CancellationToken cancellationToken = default)
    {
        if (Direction != CallDirection.Incoming)
        {
            throw new InvalidOperationException("Only incoming calls can be answered.");
        }

        await _mediaReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var tcs = await _ua.Queue.InvokeAsync(Answer).ConfigureAwait(false);
        await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rejects an incoming call that was not answered yet with <paramref name="statusCode"/> (4xx-6xx).</summary>
    public Task RejectAsync(int statusCode = 486)
    {
        if (statusCode is < 300 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A rejection needs a status from 300 to 699.");
        }

        return _ua.Queue.InvokeAsync(() =>
        {
            if (State != CallState.Incoming || PendingInvite is null || PendingInvite.IsFinal)
            {
                throw new InvalidOperationException($"The call cannot be rejected in state {State}.");
            }

            _ua.Respond(PendingInvite, statusCode);
            End(CallEndReason.Rejected(statusCode, SipResponse.DefaultReason(statusCode)));
        });
    }

    /// <summary>
    /// Ends the call: BYE when established, CANCEL when outgoing and not answered, 603 when incoming and not answered.
    /// Completes when the call has ended.
    /// </summary>
    public async Task HangupAsync()
    {
        await _ua.Queue.InvokeAsync(Hangup).ConfigureAwait(false);
        await _completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a re-INVITE offering <paramref name="direction"/> (SendOnly to hold, SendRecv to resume). Completes when the
    /// answer was applied; throws <see cref="CallFailedException"/> when the peer refuses.
    /// </summary>
    public Task RenegotiateAsync(MediaDirection direction = MediaDirection.SendRecv, CancellationToken cancellationToken = default) =>
        RenegotiateAsync(direction, null, cancellationToken);

    /// <summary>
    /// Sends a re-INVITE offering <paramref name="direction"/> with only <paramref name="codecs"/>, in that order (a
    /// subset of EndpointOptions.Codecs; null: all of them): the way to change codec mid-call, e.g. from PCMU to G722.
    /// Telephone-event stays offered when the endpoint has it. Completes when the answer was applied.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="codecs"/> names a codec the endpoint does not have.</exception>
    /// <exception cref="CallFailedException">The peer refused the offer.</exception>
    public async Task RenegotiateAsync(MediaDirection direction, IReadOnlyList<string>? codecs, CancellationToken cancellationToken = default)
    {
        if (codecs is not null)
        {
            // Fail on the caller's thread with a clear message rather than inside the signalling queue.
            _ = _ua.Negotiator.CreateOffer(SdpNegotiator.NewSession(), new IPEndPoint(IPAddress.Loopback, 9), direction, null, codecs);
        }

        var tcs = await _ua.Queue.InvokeAsync(() => SendReinvite(direction, codecs)).ConfigureAwait(false);
        await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts the peer on hold: a re-INVITE offering sendonly (RFC 3264 §8.4).</summary>
    public Task HoldAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(MediaDirection.SendOnly, cancellationToken);

    /// <summary>Takes the peer off hold: a re-INVITE offering sendrecv.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(MediaDirection.SendRecv, cancellationToken);

    /// <summary>
    /// Raised (on the signalling queue) for each NOTIFY of the implicit subscription of a REFER this call sent
    /// (RFC 3515): the progress of the referred request. The NOTIFY is answered 200 before the event is raised.
    /// </summary>
    public event EventHandler<ReferNotification>? ReferNotified;

    /// <summary>
    /// Sends a request inside the call's dialog (e.g. REFER, NOTIFY, INFO, MESSAGE, UPDATE, OPTIONS) and returns the
    /// final answer. Route set, From/To with tags, Call-ID and the next CSeq come from the dialog; a Contact is added
    /// for REFER, NOTIFY, SUBSCRIBE and UPDATE when <paramref name="headers"/> has none. A 401/407 is answered with
    /// Authorization/Proxy-Authorization per challenged realm from the endpoint's credentials (new CSeq, new branch);
    /// a further challenge is answered only when it is stale=true with a new nonce, so the final 401/407 comes back
    /// as the result (see <see cref="SipRequestResult.AuthenticationError"/>). Does not throw for a non-2xx answer;
    /// a 481 or 408 ends the call (RFC 5057: the dialog is gone).
    /// </summary>
    /// <param name="method">The method token; INVITE, ACK, CANCEL, BYE and REGISTER are refused (use RenegotiateAsync/HangupAsync).</param>
    /// <param name="headers">Extra headers; the dialog's own (Via, From, To, Call-ID, CSeq, Route, Max-Forwards,
    /// Content-*, Authorization…) are refused.</param>
    /// <param name="contentType">The body's media type; required when <paramref name="body"/> is not empty.</param>
    /// <param name="body">The body (copied).</param>
    /// <param name="cancellationToken">Stops waiting (the request itself runs on to its end).</param>
    /// <exception cref="ArgumentException">A bad method, header or content type.</exception>
    /// <exception cref="InvalidOperationException">The call is not established.</exception>
    public async Task<SipRequestResult> SendRequestAsync(
        string method, IEnumerable<(string Name, string Value)>? headers = null, string? contentType = null,
        ReadOnlyMemory<byte> body = default, CancellationToken cancellationToken = default)
    {
        var extra = ValidateRequest(method, headers, contentType, body);
        var bytes = body.ToArray();
        var task = await _ua.Queue.InvokeAsync(() => StartInDialogRequest(method, extra, contentType, bytes, null)).ConfigureAwait(false);
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the peer to send a request to <paramref name="target"/> (a transfer; RFC 3515 REFER with Refer-To, and
    /// Referred-By per RFC 3892 when given). Completes with the 2xx (normally 202 Accepted); the progress then comes
    /// as <see cref="ReferNotified"/> events (NOTIFYs with message/sipfrag bodies, answered 200). Challenges are
    /// answered as in <see cref="SendRequestAsync"/>.
    /// </summary>
    /// <exception cref="SipRequestFailedException">The REFER got a final non-2xx (e.g. a 401/407 with rejected credentials) or no answer.</exception>
    /// <exception cref="InvalidOperationException">The call is not established.</exception>
    public async Task<SipRequestResult> ReferAsync(SipUri target, SipUri? referredBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var headers = new List<(string, string)> { ("Refer-To", "<" + target + ">") };
        if (referredBy is not null) headers.Add(("Referred-By", "<" + referredBy + ">"));
        var result = await _ua.Queue.InvokeAsync(() => StartInDialogRequest("REFER", headers, null, [], null)).ConfigureAwait(false);
        var r = await result.WaitAsync(cancellationToken).ConfigureAwait(false);
        return r.IsSuccess ? r : throw new SipRequestFailedException(r);
    }

    /// <summary>
    /// Sends a NOTIFY in the call's dialog (RFC 6665) with <c>Event: <paramref name="eventName"/></c> and
    /// <c>Subscription-State: <paramref name="subscriptionState"/></c>, e.g. ("refer;id=7", "active;expires=60",
    /// "message/sipfrag", "SIP/2.0 180 Ringing"). Challenges are answered as in <see cref="SendRequestAsync"/>.
    /// </summary>
    /// <exception cref="SipRequestFailedException">The NOTIFY got a final non-2xx or no answer.</exception>
    /// <exception cref="ArgumentException">An empty or multi-line event or state, or a body without content type.</exception>
    public async Task<SipRequestResult> NotifyAsync(string eventName, string subscriptionState, string? contentType = null, ReadOnlyMemory<byte> body = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionState);
        var r = await SendRequestAsync("NOTIFY", [("Event", eventName), ("Subscription-State", subscriptionState)], contentType, body, cancellationToken).ConfigureAwait(false);
        return r.IsSuccess ? r : throw new SipRequestFailedException(r);
    }

    public override string ToString() => $"{Direction} call {CallId} ({State})";

    // ------------------------------------------------------------------ outgoing

    internal void SetMedia(ICallMediaSession media)
    {
        _media = media;
        _mediaReady.TrySetResult();
    }

    internal Task<Call> StartOutgoing(SipUri target, IPEndPoint destination) => StartOutgoing(target, [(destination, null)]);

    /// <summary>Starts the call towards the first of <paramref name="targets"/> (an outbound proxy with its Route
    /// value, or the target itself); moves to the next on no answer within FailoverTimeout, a transaction timeout or 503.</summary>
    internal Task<Call> StartOutgoing(SipUri target, IReadOnlyList<(IPEndPoint Destination, string? Route)> targets)
    {
        _establishTcs = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _targets = targets;
        _targetIndex = 0;
        var destination = targets[0].Destination;
        _destination = destination;
        var o = _ua.Options;
        var req = new SipRequest("INVITE", target.WithoutHeaders());
        req.AddHeader(SipHeaderNames.MaxForwards, SipMessageFactory.Format(o.MaxForwards));
        var local = SipUri.Create(o.UserName, _ua.ContactUri.Host, _ua.ContactUri.Port);
        var from = new SipNameAddr(local, o.DisplayName is null ? null : "\"" + o.DisplayName + "\"").WithTag(SipMessageFactory.NewTag());
        req.AddHeader(SipHeaderNames.From, from.ToString());
        req.AddHeader(SipHeaderNames.To, "<" + target + ">");
        req.AddHeader(SipHeaderNames.CallId, CallId);
        req.AddHeader(SipHeaderNames.CSeq, new SipCSeq((uint)Random.Shared.Next(1, 10000), "INVITE").ToString());
        req.AddHeader(SipHeaderNames.Contact, _ua.ContactHeader);
        req.AddHeader(SipHeaderNames.Allow, SipUserAgent.AllowValue);
        req.AddHeader(SipHeaderNames.UserAgent, o.UserAgent);
        _offeredDirection = MediaDirection.SendRecv;
        _localOffer = _ua.Negotiator.CreateOffer(_sdp, _ua.SdpEndPoint(Media), _offeredDirection);
        req.AddHeader(SipHeaderNames.ContentType, "application/sdp");
        req.Body = _localOffer.ToBytes();
        _invite = req;
        SendInviteToCurrentTarget(req);
        return _establishTcs.Task;
    }

    private void SendInviteToCurrentTarget(SipRequest req)
    {
        var (destination, route) = _targets[_targetIndex];
        _destination = destination;
        req.RemoveHeader(SipHeaderNames.Route);
        if (route is not null) req.InsertHeader(1, SipHeaderNames.Route, route);
        int attempt = ++_inviteAttempt;
        _answeredAttempt = false;
        _inviteTx = _ua.Layer.SendRequest(
            req,
            destination,
            r =>
            {
                if (attempt != _inviteAttempt) return; // a target we already gave up on
                _answeredAttempt = true;
                _failoverTimer?.Dispose();
                OnInviteResponse(r);
            },
            why =>
            {
                if (attempt == _inviteAttempt) OnInviteFailure(why);
            });
        _failoverTimer?.Dispose();
        if (_targetIndex + 1 < _targets.Count)
        {
            _failoverTimer = _ua.Layer.Time.CreateTimer(
                _ => _ua.Queue.Post(() =>
                {
                    if (attempt == _inviteAttempt && !_answeredAttempt && State is CallState.Calling) TryNextTarget($"no answer from {destination} within {_ua.Options.FailoverTimeout.TotalSeconds:0.#} s");
                }),
                null,
                _ua.Options.FailoverTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>RFC 3263 §4.3: the current target failed; send the INVITE (new branch, CSeq + 1) to the next one.</summary>
    private bool TryNextTarget(string why)
    {
        if (_cancelRequested || State == CallState.Ended || _targetIndex + 1 >= _targets.Count) return false;
        Log.LogWarning("Call {CallId}: {Why}; trying the next server", CallId, why);
        _targetIndex++;
        _inviteTx?.Abandon(); // no retransmissions to a server we gave up on
        if (Dialog is not null)
        {
            _ua.UnregisterDialog(Dialog);
            Dialog = null;
        }

        _gotProvisional = false;
        var next = new SipRequest(_invite!.Method, _invite.Uri!);
        foreach (var h in _invite.Headers)
        {
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.CSeq) continue;
            next.AddHeader(h.Name, h.Value);
        }

        next.SetHeader(SipHeaderNames.CSeq, new SipCSeq(_invite.CSeq.Number + 1, "INVITE").ToString());
        next.Body = _invite.Body;
        _invite = next;
        SendInviteToCurrentTarget(next);
        return true;
    }

    private void OnInviteResponse(SipResponse response)
    {
        if (State == CallState.Ended && !response.IsSuccess)
        {
            return;
        }

        if (response.IsProvisional)
        {
            _gotProvisional = true;
            if (_cancelRequested)
            {
                SendCancel();
                return;
            }

            if (response.To.Tag is { } tag && Dialog is null && response.StatusCode > 100)
            {
                Dialog = SipDialog.CreateUac(_invite!, response);
                _ua.RegisterDialog(Dialog, this);
            }

            if (response.StatusCode is 180 or 183 && State == CallState.Calling)
            {
                SetState(CallState.Ringing);
            }

            return;
        }

        if (response.IsSuccess)
        {
            OnInviteSuccess(response);
            return;
        }

        if (response.StatusCode is 401 or 407 && !_cancelRequested)
        {
            var retry = _ua.CreateAuthenticatedRetry(_invite!, response, ref _inviteAuthorizations, out var why);
            if (retry is not null)
            {
                if (Dialog is not null)
                {
                    _ua.UnregisterDialog(Dialog); // the early dialog of the challenged INVITE ends with it
                    Dialog = null;
                }

                _invite = retry;
                SendInviteToCurrentTarget(retry);
                return;
            }

            Log.LogWarning("Call {CallId}: {Status} and no way to authenticate: {Why}", CallId, response.StatusCode, why);
        }

        if (response.StatusCode == 503 && TryNextTarget($"503 {response.ReasonPhrase} from {_destination}"))
        {
            return;
        }

        var reason = _cancelRequested && response.StatusCode == 487 ? CallEndReason.Cancelled : CallEndReason.Rejected(response.StatusCode, response.ReasonPhrase);
        _establishTcs?.TrySetException(new CallFailedException(response.StatusCode, response.ReasonPhrase));
        End(reason);
    }

    private void OnInviteSuccess(SipResponse response)
    {
        var tag = response.To.Tag ?? "";
        if (State == CallState.Ended && _lastAck is null)
        {
            AckAndByeStray(response);
            return;
        }

        if (Dialog is { State: SipDialogState.Confirmed } confirmed)
        {
            if (confirmed.RemoteTag == tag && _lastAck is not null && _lastAck.CSeq.Number == response.CSeq.Number)
            {
                _ua.Layer.SendStateless(_lastAck, _destination!);
            }
            else
            {
                // A 2xx from another fork: acknowledge and release it.
                AckAndByeStray(response);
            }

            return;
        }

        if (Dialog is not null && Dialog.RemoteTag != tag)
        {
            _ua.UnregisterDialog(Dialog);
            Dialog = null;
        }

        if (Dialog is null)
        {
            Dialog = SipDialog.CreateUac(_invite!, response);
            _ua.RegisterDialog(Dialog, this);
        }
        else
        {
            // §13.2.2.4: the route set and target of an early dialog are recomputed from the 2xx.
            Dialog.ConfirmFrom(response);
        }

        Dialog.State = SipDialogState.Confirmed;
        _destination = Dialog.NextHop() ?? _destination;
        _lastAck = Dialog.CreateRequest("ACK", response.CSeq.Number);
        _ua.Layer.SendStateless(_lastAck, _destination!);

        if (_cancelRequested || State == CallState.Ended)
        {
            SendBye(CallEndReason.Cancelled);
            return;
        }

        NegotiatedMedia? media = null;
        string? why = null;
        if (response.Body.Length == 0 || !SdpSessionDescription.TryParse(response.Body, out var answer, out why) ||
            !_ua.Negotiator.TryProcessAnswer(_localOffer!, answer!, _offeredDirection, out media, out why))
        {
            why ??= "2xx without SDP answer";
            Log.LogWarning("Call {CallId}: unusable answer ({Why}); hanging up", CallId, why);
            _establishTcs?.TrySetException(new CallFailedException(488, "Not Acceptable Here (" + why + ")"));
            SendBye(CallEndReason.Failed(why));
            return;
        }

        _localOffer = null;
        var applied = ApplyMedia(media!); // sets CurrentMedia before anyone hears of the new state
        SetState(CallState.Established);
        var tcs = _establishTcs;
        _ = applied.ContinueWith(_ => tcs?.TrySetResult(this), TaskScheduler.Default);
    }

    private void AckAndByeStray(SipResponse response)
    {
        var d = SipDialog.CreateUac(_invite!, response);
        var hop = d.NextHop() ?? _destination!;
        _ua.Layer.SendStateless(d.CreateRequest("ACK", response.CSeq.Number), hop);
        _ua.Layer.SendRequest(d.CreateRequest("BYE"), hop, _ => { }, _ => { });
    }

    private void OnInviteFailure(string reason)
    {
        if (State == CallState.Ended)
        {
            return;
        }

        if (TryNextTarget(reason))
        {
            return;
        }

        _establishTcs?.TrySetException(reason.StartsWith("Transport error", StringComparison.Ordinal)
            ? new CallFailedException(503, "Service Unavailable (" + reason + ")")
            : new CallFailedException(408, "Request Timeout (" + reason + ")"));
        End(_cancelRequested ? CallEndReason.Cancelled : CallEndReason.Timeout(reason));
    }

    internal void CancelOutgoing()
    {
        if (Direction != CallDirection.Outgoing || State is CallState.Established or CallState.Ended || _cancelRequested)
        {
            return;
        }

        _cancelRequested = true;
        _establishTcs?.TrySetCanceled();
        SetState(CallState.Terminating);
        if (_gotProvisional)
        {
            SendCancel();
        }

        // If the INVITE never completes, do not keep the call forever.
        _cancelGuard = SipTimer.Start(_ua.Options.TimeProvider, _ua.Queue, _ua.Timers.Timeout, () => End(CallEndReason.Cancelled));
    }

    private void SendCancel()
    {
        if (_cancelSent || _invite is null)
        {
            return;
        }

        _cancelSent = true;
        var cancel = new SipRequest("CANCEL", _invite.RequestUriText, _invite.Uri);
        cancel.AddHeader(SipHeaderNames.Via, _invite.TopVia!.ToString());
        foreach (var r in _invite.GetValues(SipHeaderNames.Route))
        {
            cancel.AddHeader(SipHeaderNames.Route, r);
        }

        cancel.AddHeader(SipHeaderNames.MaxForwards, SipMessageFactory.Format(_ua.Options.MaxForwards));
        cancel.AddHeader(SipHeaderNames.From, _invite.GetHeader(SipHeaderNames.From)!);
        cancel.AddHeader(SipHeaderNames.To, _invite.GetHeader(SipHeaderNames.To)!);
        cancel.AddHeader(SipHeaderNames.CallId, CallId);
        cancel.AddHeader(SipHeaderNames.CSeq, new SipCSeq(_invite.CSeq.Number, "CANCEL").ToString());
        _ua.Layer.SendRequest(cancel, _destination!, _ => { }, _ => { });
    }

    // ------------------------------------------------------------------ incoming

    internal void StartIncoming(InviteServerTransaction tx, SdpSessionDescription? offer)
    {
        PendingInvite = tx;
        _remoteOffer = offer;
        Dialog = SipDialog.CreateUas(tx.Request, tx.LocalTag);
        _ua.RegisterDialog(Dialog, this);
        _destination = Dialog.NextHop();
        _ua.Respond(tx, 180);
        if (_ua.Options.IncomingCallTimeout != Timeout.InfiniteTimeSpan)
        {
            _ringTimer = SipTimer.Start(_ua.Options.TimeProvider, _ua.Queue, _ua.Options.IncomingCallTimeout, OnRingTimeout);
        }

        _ = CreateIncomingMediaAsync();
    }

    private void OnRingTimeout()
    {
        _ringTimer = null;
        if (State == CallState.Incoming && _answerTcs is null && PendingInvite is { IsFinal: false } tx)
        {
            Log.LogInformation("Call {CallId}: not answered within {Timeout}; refusing with 480", CallId, _ua.Options.IncomingCallTimeout);
            _ua.Respond(tx, 480, "Temporarily Unavailable (not answered)");
            End(CallEndReason.Timeout("not answered"));
        }
    }

    private async Task CreateIncomingMediaAsync()
    {
        ICallMediaSession media;
        try
        {
            media = await _ua.MediaFactory.CreateAsync(CallId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Call {CallId}: media session could not be created", CallId);
            _ua.Queue.Post(() =>
            {
                if (State == CallState.Incoming && PendingInvite is { IsFinal: false } tx)
                {
                    _ua.Respond(tx, 500, "Server Internal Error (media unavailable)");
                }

                End(CallEndReason.Failed("media session could not be created: " + ex.Message));
            });
            _mediaReady.TrySetException(ex);
            return;
        }

        _ua.Queue.Post(() =>
        {
            SetMedia(media);
            if (State == CallState.Ended)
            {
                _ = DisposeMediaOnceAsync();
                return;
            }

            try
            {
                _ua.IncomingCall?.Invoke(this);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "IncomingCall handler threw");
            }

            if (_ua.Options.AutoAnswer && State == CallState.Incoming)
            {
                var tcs = Answer();
                tcs.Task.ContinueWith(t => Log.LogWarning("Auto-answer of {CallId} failed: {Error}", CallId, t.Exception?.InnerException?.Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        });
    }

    private TaskCompletionSource Answer()
    {
        if (_answerTcs is not null)
        {
            return _answerTcs;
        }

        if (State != CallState.Incoming || PendingInvite is null || PendingInvite.IsFinal)
        {
            throw new InvalidOperationException($"The call cannot be answered in state {State}.");
        }

        _answerTcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ringTimer?.Dispose();
        _ringTimer = null;
        var tx = PendingInvite;
        var ok = _ua.CreateResponse(tx, 200);
        if (_remoteOffer is not null)
        {
            if (!_ua.Negotiator.TryCreateAnswer(_remoteOffer, _sdp, _ua.SdpEndPoint(Media), _localDirection, out var answer, out var media, out var warn, out var why))
            {
                _ua.Respond(tx, 488, "Not Acceptable Here (" + why + ")", r => r.AddHeader(SipHeaderNames.Warning, $"{warn} {_ua.ContactUri.Host} \"{why}\""));
                _answerTcs.TrySetException(new CallFailedException(488, why!));
                End(CallEndReason.Failed(why!));
                return _answerTcs;
            }

            ok.AddHeader(SipHeaderNames.ContentType, "application/sdp");
            ok.Body = answer!.ToBytes();
            SendOk(tx, ok);
            _initialAckPending = true;
            ApplyMedia(media!);
        }
        else
        {
            _localOffer = _ua.Negotiator.CreateOffer(_sdp, _ua.SdpEndPoint(Media), _localDirection, CurrentMedia);
            _offeredDirection = _localDirection;
            ok.AddHeader(SipHeaderNames.ContentType, "application/sdp");
            ok.Body = _localOffer.ToBytes();
            _awaitingAnswerInAck = true;
            _initialAckPending = true;
            SendOk(tx, ok);
        }

        return _answerTcs;
    }

    private void SendOk(InviteServerTransaction tx, SipResponse ok)
    {
        tx.SendResponse(ok);
        _okRetransmitter?.Dispose();
        _okRetransmitter = new SuccessResponseRetransmitter(_ua.Transport, _ua.Options.TimeProvider, _ua.Queue, _ua.Timers, ok, OnAckTimeout);
        if (Dialog is not null)
        {
            Dialog.State = SipDialogState.Confirmed;
        }
    }

    private void OnAckTimeout()
    {
        Log.LogWarning("Call {CallId}: no ACK for our 2xx within 64*T1; sending BYE", CallId);
        _answerTcs?.TrySetException(new CallFailedException(408, "ACK not received"));
        _awaitingAnswerInAck = false;
        SendBye(CallEndReason.Timeout("ACK not received"));
    }

    internal void OnAck(SipRequest ack)
    {
        if (_okRetransmitter is null || ack.CSeq.Number != _okRetransmitter.CSeq)
        {
            return;
        }

        _okRetransmitter.Dispose();
        _okRetransmitter = null;
        Task applied = Task.CompletedTask;
        if (_awaitingAnswerInAck)
        {
            _awaitingAnswerInAck = false;
            NegotiatedMedia? media = null;
            string? why = null;
            if (ack.Body.Length == 0 || !SdpSessionDescription.TryParse(ack.Body, out var answer, out why) ||
                !_ua.Negotiator.TryProcessAnswer(_localOffer!, answer!, _offeredDirection, out media, out why))
            {
                why ??= "ACK without SDP answer";
                Log.LogWarning("Call {CallId}: unusable answer in ACK ({Why}); hanging up", CallId, why);
                _answerTcs?.TrySetException(new CallFailedException(488, why));
                SendBye(CallEndReason.Failed(why));
                return;
            }

            _localOffer = null;
            applied = ApplyMedia(media!);
        }
        else
        {
            applied = _mediaChain;
        }

        if (_initialAckPending)
        {
            _initialAckPending = false;
            PendingInvite = null;
            SetState(CallState.Established);
            var tcs = _answerTcs;
            _ = applied.ContinueWith(_ => tcs?.TrySetResult(), TaskScheduler.Default);
        }
    }

    internal void OnCancelled()
    {
        if (PendingInvite is { IsFinal: false } tx)
        {
            _ua.Respond(tx, 487, "Request Terminated");
        }

        _answerTcs?.TrySetException(new CallFailedException(487, "Request Terminated (cancelled by the caller)"));
        End(CallEndReason.Cancelled);
    }

    internal void OnStraySuccess(SipResponse response)
    {
        if (_lastAck is not null && _lastAck.CSeq.Number == response.CSeq.Number && _destination is not null)
        {
            _ua.Layer.SendStateless(_lastAck, _destination);
        }
    }

    // ------------------------------------------------------------------ in dialog

    internal void OnInDialogRequest(SipServerTransaction tx)
    {
        var req = tx.Request;
        if (!Dialog!.AcceptRemoteSeq(req.CSeq.Number))
        {
            _ua.Respond(tx, 500, "Server Internal Error (CSeq out of order)");
            return;
        }

        switch (req.Method)
        {
            case "BYE":
                _ua.Respond(tx, 200);
                if (PendingInvite is { IsFinal: false } invite)
                {
                    _ua.Respond(invite, 487, "Request Terminated");
                }

                _answerTcs?.TrySetException(new CallFailedException(487, "Call ended by the peer"));
                End(CallEndReason.RemoteHangup);
                break;
            case "INVITE":
                OnReinvite((InviteServerTransaction)tx);
                break;
            case "NOTIFY":
                OnNotify(tx);
                break;
            default:
                _ua.Respond(tx, 405, $"Method {req.Method} Not Allowed");
                break;
        }
    }

    private void OnReinvite(InviteServerTransaction tx)
    {
        var req = tx.Request;

        // §14.2: an earlier INVITE of the peer is still in progress (not answered, or our 2xx not acknowledged).
        if (PendingInvite is { IsFinal: false } || _okRetransmitter is not null)
        {
            _ua.Respond(tx, 500, "Server Internal Error (previous INVITE still in progress)",
                r => r.AddHeader("Retry-After", SipMessageFactory.Format(GlareRetry.RetryAfterSeconds(Random.Shared))));
            return;
        }

        // §14.2: our own INVITE on this dialog is in progress: glare.
        if (_reinviteClient is not null || State is CallState.Calling or CallState.Ringing)
        {
            _ua.Respond(tx, 491, "Request Pending");
            return;
        }

        if (State != CallState.Established)
        {
            _ua.Respond(tx, 491, "Request Pending");
            return;
        }

        Dialog!.RefreshTarget(req);
        _destination = Dialog.NextHop() ?? _destination;
        var ok = _ua.CreateResponse(tx, 200);
        ok.AddHeader(SipHeaderNames.ContentType, "application/sdp");
        if (req.Body.Length > 0)
        {
            if (!SdpSessionDescription.TryParse(req.Body, out var offer, out var sdpError))
            {
                _ua.Respond(tx, 400, $"Malformed SDP ({sdpError})");
                return;
            }

            if (!_ua.Negotiator.TryCreateAnswer(offer!, _sdp, _ua.SdpEndPoint(Media), _localDirection, out var answer, out var media, out var warn, out var why))
            {
                _ua.Respond(tx, 488, "Not Acceptable Here (" + why + ")", r => r.AddHeader(SipHeaderNames.Warning, $"{warn} {_ua.ContactUri.Host} \"{why}\""));
                return;
            }

            ok.Body = answer!.ToBytes();
            SendOk(tx, ok);
            ApplyMedia(media!);
        }
        else
        {
            _localOffer = _ua.Negotiator.CreateOffer(_sdp, _ua.SdpEndPoint(Media), _localDirection, CurrentMedia);
            _offeredDirection = _localDirection;
            ok.Body = _localOffer.ToBytes();
            _awaitingAnswerInAck = true;
            SendOk(tx, ok);
        }
    }

    private TaskCompletionSource SendReinvite(MediaDirection direction, IReadOnlyList<string>? codecs = null)
    {
        if (State != CallState.Established || Dialog is null)
        {
            throw new InvalidOperationException($"A re-INVITE needs an established call (state {State}).");
        }

        if (_reinviteClient is not null || _okRetransmitter is not null || _glareTimer is not null)
        {
            throw new InvalidOperationException("An offer/answer exchange is already in progress.");
        }

        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _reinviteTcs = tcs;
        _glareAttempts = 0;
        _reinviteCodecs = codecs;
        SendReinviteAttempt(direction, tcs);
        return tcs;
    }

    private void SendReinviteAttempt(MediaDirection direction, TaskCompletionSource tcs)
    {
        var req = Dialog!.CreateRequest("INVITE");
        req.AddHeader(SipHeaderNames.Contact, _ua.ContactHeader);
        req.AddHeader(SipHeaderNames.Allow, SipUserAgent.AllowValue);
        req.AddHeader(SipHeaderNames.UserAgent, _ua.Options.UserAgent);
        req.AddHeader(SipHeaderNames.ContentType, "application/sdp");
        var offer = _ua.Negotiator.CreateOffer(_sdp, _ua.SdpEndPoint(Media), direction, CurrentMedia, _reinviteCodecs);
        req.Body = offer.ToBytes();
        var hop = Dialog.NextHop() ?? _destination!;
        _reinviteRequest = req;
        _reinviteAuthorizations = [];
        _reinviteClient = _ua.Layer.SendRequest(req, hop, r => OnReinviteResponse(r, offer, direction, hop), why =>
        {
            _reinviteClient = null;
            tcs.TrySetException(new CallFailedException(408, "Request Timeout (" + why + ")"));
            SendBye(CallEndReason.Timeout("re-INVITE not answered"));
        });
    }

    /// <summary>§14.1: after a 491, send the re-INVITE again after a random wait (longer when we own the Call-ID).</summary>
    private void ScheduleGlareRetry(MediaDirection direction, TaskCompletionSource tcs)
    {
        var delay = GlareRetry.Delay(Direction == CallDirection.Outgoing, Random.Shared);
        Log.LogDebug("Call {CallId}: re-INVITE glare (491); retrying in {Delay} ms", CallId, delay.TotalMilliseconds);
        _glareTimer = SipTimer.Start(_ua.Options.TimeProvider, _ua.Queue, delay, () =>
        {
            _glareTimer = null;
            if (State != CallState.Established || tcs.Task.IsCompleted)
            {
                tcs.TrySetException(new CallFailedException(491, "Request Pending (call no longer established)"));
                return;
            }

            if (_reinviteClient is not null || _okRetransmitter is not null)
            {
                // The peer's re-INVITE is still being completed: wait another round.
                ScheduleGlareRetry(direction, tcs);
                return;
            }

            SendReinviteAttempt(direction, tcs);
        });
    }

    private void OnReinviteResponse(SipResponse response, SdpSessionDescription offer, MediaDirection direction, IPEndPoint hop)
    {
        if (response.IsProvisional)
        {
            return;
        }

        if (response.StatusCode is 401 or 407 && _reinviteRequest is { } challenged
            && _ua.CreateAuthenticatedRetry(challenged, response, ref _reinviteAuthorizations, out _) is { } retry)
        {
            Dialog?.AdvanceLocalSeq(retry.CSeq.Number);
            _reinviteRequest = retry;
            _reinviteClient = _ua.Layer.SendRequest(retry, hop, r => OnReinviteResponse(r, offer, direction, hop), why =>
            {
                _reinviteClient = null;
                _reinviteTcs?.TrySetException(new CallFailedException(408, "Request Timeout (" + why + ")"));
                SendBye(CallEndReason.Timeout("re-INVITE not answered"));
            });
            return;
        }

        var tcs = _reinviteTcs;
        if (response.IsSuccess)
        {
            var ack = Dialog!.CreateRequest("ACK", response.CSeq.Number);
            if (_lastAck is not null && _lastAck.CSeq.Number == response.CSeq.Number)
            {
                _ua.Layer.SendStateless(_lastAck, hop);
                return;
            }

            _lastAck = ack;
            _ua.Layer.SendStateless(ack, hop);
            _reinviteClient = null;
            Dialog.RefreshTarget(response);
            if (response.Body.Length > 0 && SdpSessionDescription.TryParse(response.Body, out var answer, out _) &&
                _ua.Negotiator.TryProcessAnswer(offer, answer!, direction, out var media, out var why))
            {
                _localDirection = direction;
                var applied = ApplyMedia(media!);
                _ = applied.ContinueWith(_ => tcs?.TrySetResult(), TaskScheduler.Default);
            }
            else
            {
                tcs?.TrySetException(new CallFailedException(488, "Not Acceptable Here (unusable SDP answer to re-INVITE)"));
                SendBye(CallEndReason.Failed("unusable SDP answer to re-INVITE"));
            }

            return;
        }

        _reinviteClient = null;
        if (response.StatusCode == 491 && tcs is not null && ++_glareAttempts < GlareRetry.MaxAttempts && State == CallState.Established)
        {
            ScheduleGlareRetry(direction, tcs);
            return;
        }

        tcs?.TrySetException(new CallFailedException(response.StatusCode, response.ReasonPhrase));
        if (response.StatusCode is 408 or 481)
        {
            // §14.1: the dialog is gone.
            SendBye(CallEndReason.Failed($"re-INVITE answered {response.StatusCode}"));
        }
    }

    // ------------------------------------------------------------------ other in-dialog requests (REFER, NOTIFY…)

    private static readonly HashSet<string> DialogOwnedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards,
        SipHeaderNames.Route, SipHeaderNames.RecordRoute, SipHeaderNames.ContentType, SipHeaderNames.ContentLength,
        "Authorization", "Proxy-Authorization",
    };

    internal static List<(string, string)> ValidateRequest(string method, IEnumerable<(string Name, string Value)>? headers, string? contentType, ReadOnlyMemory<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (!IsToken(method))
        {
            throw new ArgumentException($"'{method}' is not a SIP method token.", nameof(method));
        }

        if (method is "INVITE" or "ACK" or "CANCEL" or "BYE" or "REGISTER")
        {
            throw new ArgumentException($"{method} cannot be sent with SendRequestAsync (calls: Endpoint.CallAsync, Call.RenegotiateAsync / HangupAsync; registrations: EndpointOptions.Registrations).", nameof(method));
        }

        var list = new List<(string, string)>();
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                if (string.IsNullOrEmpty(name) || !IsToken(name))
                {
                    throw new ArgumentException($"'{name}' is not a header name.", nameof(headers));
                }

                var canonical = SipHeaderNames.Normalize(name);
                if (DialogOwnedHeaders.Contains(canonical))
                {
                    throw new ArgumentException($"Header {canonical} is set by the dialog and cannot be given.", nameof(headers));
                }

                ArgumentNullException.ThrowIfNull(value, nameof(headers));
                if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
                {
                    throw new ArgumentException($"The value of header {canonical} must not contain line breaks.", nameof(headers));
                }

                list.Add((canonical, value));
            }
        }

        if (contentType is not null && (contentType.Length == 0 || contentType.AsSpan().IndexOfAny('\r', '\n') >= 0 || !contentType.Contains('/', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{contentType}' is not a media type.", nameof(contentType));
        }

        if (body.Length > 0 && contentType is null)
        {
            throw new ArgumentException("A body needs a content type.", nameof(contentType));
        }

        return list;
    }

    private static bool IsToken(string s)
    {
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~'))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    /// <summary>Sends a non-INVITE request in the dialog, answering 401/407 with credentials (no loop). On the queue.</summary>
    private Task<SipRequestResult> StartInDialogRequest(string method, List<(string Name, string Value)> headers, string? contentType, byte[] body, Action<SipRequest>? sent)
    {
        if (State != CallState.Established || Dialog is null)
        {
            throw new InvalidOperationException($"A {method} needs an established call (state {State}).");
        }

        var req = Dialog.CreateRequest(method);
        bool hasContact = headers.Exists(h => h.Name == SipHeaderNames.Contact);
        if (!hasContact && method is "REFER" or "NOTIFY" or "SUBSCRIBE" or "UPDATE")
        {
            req.AddHeader(SipHeaderNames.Contact, _ua.ContactHeader);
        }

        foreach (var (name, value) in headers) req.AddHeader(name, value);
        req.AddHeader(SipHeaderNames.UserAgent, _ua.Options.UserAgent);
        if (body.Length > 0)
        {
            req.AddHeader(SipHeaderNames.ContentType, contentType!);
            req.Body = body;
        }

        if (method == "REFER") _referCSeqs.Add(req.CSeq.Number);
        var tcs = new TaskCompletionSource<SipRequestResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hop = Dialog.NextHop() ?? _destination!;
        IReadOnlyList<Auth.DigestAuthorization> tried = [];
        void Send(SipRequest request)
        {
            sent?.Invoke(request);
            _ua.Layer.SendRequest(request, hop, r =>
            {
                if (r.IsProvisional) return;
                string? authError = null;
                if (r.StatusCode is 401 or 407)
                {
                    var dialog = Dialog;
                    var retry = State == CallState.Established && dialog is not null
                        ? _ua.CreateAuthenticatedRetry(request, r, ref tried, out authError, dialog.NextLocalSeq)
                        : null;
                    if (retry is not null)
                    {
                        if (method == "REFER") _referCSeqs.Add(retry.CSeq.Number);
                        Send(retry);
                        return;
                    }

                    authError ??= "the call has ended";
                    Log.LogWarning("Call {CallId}: {Method} answered {Status} and not retried: {Why}", CallId, method, r.StatusCode, authError);
                }

                tcs.TrySetResult(SipRequestResult.From(request, r, authError));
                if (r.StatusCode is 408 or 481 && State == CallState.Established)
                {
                    SendBye(CallEndReason.Failed($"{method} answered {r.StatusCode}"));
                }
            }, why => tcs.TrySetResult(SipRequestResult.Timeout(request, why)));
        }

        Send(req);
        return tcs.Task;
    }

    /// <summary>An in-dialog NOTIFY: the implicit subscription of a REFER we sent (RFC 3515 §2.4.4), else 481.</summary>
    private void OnNotify(SipServerTransaction tx)
    {
        var req = tx.Request;
        var evt = req.GetHeader("Event");
        if (evt is null)
        {
            _ua.Respond(tx, 489, "Bad Event (no Event header)", r => r.AddHeader("Allow-Events", "refer"));
            return;
        }

        var parts = evt.Split(';', StringSplitOptions.TrimEntries);
        if (!string.Equals(parts[0], "refer", StringComparison.OrdinalIgnoreCase))
        {
            _ua.Respond(tx, 489, $"Bad Event ({parts[0]} not supported)", r => r.AddHeader("Allow-Events", "refer"));
            return;
        }

        uint? id = null;
        foreach (var p in parts)
        {
            if (p.StartsWith("id=", StringComparison.OrdinalIgnoreCase) && uint.TryParse(p.AsSpan(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) id = n;
        }

        if (_referCSeqs.Count == 0 || (id is { } i && !_referCSeqs.Contains(i)))
        {
            _ua.Respond(tx, 481, "Subscription Does Not Exist (no REFER sent with that CSeq)");
            return;
        }

        var stateHeader = req.GetHeader("Subscription-State");
        if (stateHeader is null)
        {
            _ua.Respond(tx, 400, "Bad Request (no Subscription-State header)");
            return;
        }

        var stateParts = stateHeader.Split(';', StringSplitOptions.TrimEntries);
        string? termination = null;
        foreach (var p in stateParts)
        {
            if (p.StartsWith("reason=", StringComparison.OrdinalIgnoreCase)) termination = p[7..];
        }

        string fragment = System.Text.Encoding.UTF8.GetString(req.Body);
        int? status = null;
        string? reason = null;
        var firstLine = fragment.Split('\n', 2)[0].TrimEnd('\r');
        var words = firstLine.Split(' ', 3);
        if (words.Length >= 2 && words[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(words[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 699)
        {
            status = code;
            reason = words.Length == 3 ? words[2] : "";
        }

        _ua.Respond(tx, 200);
        var note = new ReferNotification(id, stateParts[0].ToLowerInvariant(), termination, status, reason, fragment);
        try
        {
            ReferNotified?.Invoke(this, note);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "ReferNotified handler threw");
        }
    }

    // ------------------------------------------------------------------ ending

    private void Hangup()
    {
        switch (State)
        {
            case CallState.Ended or CallState.Terminating:
                return;
            case CallState.Established:
                SendBye(CallEndReason.LocalHangup);
                return;
            case CallState.Incoming:
                if (_okRetransmitter is not null)
                {
                    // Answered, ACK not yet here: BYE is allowed once the 2xx was sent (§15).
                    SendBye(CallEndReason.LocalHangup);
                }
                else
                {
                    if (PendingInvite is { IsFinal: false } tx)
                    {
                        _ua.Respond(tx, 603, "Decline");
                    }

                    End(CallEndReason.LocalHangup);
                }

                return;
            default:
                CancelOutgoing();
                return;
        }
    }

    private void SendBye(CallEndReason reason)
    {
        if (State is CallState.Ended || Dialog is null)
        {
            End(reason);
            return;
        }

        if (State == CallState.Terminating && _byeSent)
        {
            return;
        }

        _byeSent = true;
        _okRetransmitter?.Dispose();
        _okRetransmitter = null;
        SetState(CallState.Terminating);
        var bye = Dialog.CreateRequest("BYE");
        bye.AddHeader(SipHeaderNames.UserAgent, _ua.Options.UserAgent);
        var hop = Dialog.NextHop() ?? _destination!;
        IReadOnlyList<Auth.DigestAuthorization> tried = [];
        void Send(SipRequest request) => _ua.Layer.SendRequest(request, hop, r =>
        {
            if (r.IsProvisional) return;
            if (r.StatusCode is 401 or 407 && _ua.CreateAuthenticatedRetry(request, r, ref tried, out _) is { } retry)
            {
                Dialog?.AdvanceLocalSeq(retry.CSeq.Number);
                Send(retry); // a server that challenges BYE gets our credentials once (no loop)
                return;
            }

            End(reason);
        }, _ => End(reason));
        Send(bye);
    }

    private bool _byeSent;

    /// <summary>Ends the call once: state, events, pending tasks, dialog removal, media disposal.</summary>
    internal void End(CallEndReason reason)
    {
        if (State == CallState.Ended)
        {
            return;
        }

        _okRetransmitter?.Dispose();
        _okRetransmitter = null;
        _cancelGuard?.Dispose();
        _glareTimer?.Dispose();
        _glareTimer = null;
        _ringTimer?.Dispose();
        _ringTimer = null;
        if (Dialog is not null)
        {
            Dialog.State = SipDialogState.Terminated;
        }

        EndReason = reason;
        _ua.RemoveCall(this);
        SetState(CallState.Ended);
        var failure = new CallFailedException(reason.StatusCode ?? 480, "Call ended: " + reason);
        _establishTcs?.TrySetException(failure);
        _answerTcs?.TrySetException(failure);
        _reinviteTcs?.TrySetException(failure);
        try
        {
            Ended?.Invoke(this, reason);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Ended handler threw");
        }

        _ = Task.Run(FinishAsync); // media teardown (graph stop, sockets) off the signalling queue
    }

    private async Task FinishAsync()
    {
        try
        {
            await _mediaChain.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LogDebug(ex, "Media apply failed before end");
        }

        await DisposeMediaOnceAsync().ConfigureAwait(false);
        _completion.TrySetResult();
    }

    private async Task DisposeMediaOnceAsync()
    {
        if (_media is null || Interlocked.Exchange(ref _mediaDisposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _media.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Call {CallId}: disposing media failed", CallId);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Task ApplyMedia(NegotiatedMedia media)
    {
        CurrentMedia = media;
        var previous = _mediaChain;
        _mediaChain = ApplyAfterAsync(previous, media);
        return _mediaChain;
    }

    private async Task ApplyAfterAsync(Task previous, NegotiatedMedia media)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already logged by its own apply.
        }

        try
        {
            await Media.ApplyAsync(media).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Call {CallId}: applying media failed", CallId);
            return;
        }

        _ua.Queue.Post(() =>
        {
            try
            {
                MediaChanged?.Invoke(this, media);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "MediaChanged handler threw");
            }
        });
    }

    private void SetState(CallState state)
    {
        if (State == state)
        {
            return;
        }

        State = state;
        try
        {
            StateChanged?.Invoke(this, state);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "StateChanged handler threw");
        }
    }
}
