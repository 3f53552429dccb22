using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Registration;

/// <summary>
/// One REGISTER binding kept alive at one registrar (RFC 3261 §10).
/// <code>
///   Start ──► Registering ──200──► Ready ──(before expiry)──► Registering (refresh) ──► Ready …
///                 │ 401/407 ──► answer the digest challenge once per nonce, resend (CSeq + 1)
///                 └ timeout / 4xx–6xx / auth refused ──► Failed ──(back-off: 2 s, 4 s … 5 min)──► Registering
///   Stop ──► Unregistering (Expires: 0) ──► Unregistered
/// </code>
/// All work runs on the endpoint's signalling queue; timers come from its TimeProvider.
/// Several registrations (one per server) may run at once: the endpoint accepts calls from any of them.
/// </summary>
public sealed class Registration
{
    private readonly SipUserAgent _ua;
    private readonly DigestAuthenticator? _auth;
    private readonly string _callId;
    private readonly string _fromTag = SipMessageFactory.NewTag();
    private uint _cseq = (uint)Random.Shared.Next(1, 10000);
    private ITimer? _timer;
    private int _failures;
    private bool _stopping;
    private TaskCompletionSource? _stopped;

    private readonly Func<SipUri, CancellationToken, Task<IReadOnlyList<IPEndPoint>>> _resolve;
    private IReadOnlyList<IPEndPoint> _targets = [];
    private int _targetIndex;
    private int _attempt;
    private ITimer? _failoverTimer;

    internal Registration(SipUserAgent ua, RegistrationOptions options, Func<SipUri, CancellationToken, Task<IReadOnlyList<IPEndPoint>>> resolve)
    {
        _resolve = resolve;
        options.Validate();
        _ua = ua;
        Options = options;
        Registrar = SipUri.Parse(options.Registrar);
        AddressOfRecord = options.AddressOfRecord is { } aor ? SipUri.Parse(aor) : SipUri.Create(ua.Options.UserName, Registrar.Host, null);
        if (options.Password is not null)
        {
            _auth = new DigestAuthenticator(new DigestCredentials(options.AuthUser ?? AddressOfRecord.User ?? ua.Options.UserName, options.Password));
        }

        _callId = SipMessageFactory.NewCallId(ua.ContactUri.Host.Trim('[', ']'));
    }

    public RegistrationOptions Options { get; }

    public SipUri Registrar { get; }

    public SipUri AddressOfRecord { get; }

    public RegistrationState State { get; private set; } = RegistrationState.Idle;

    /// <summary>The binding lifetime the registrar granted in its last 200.</summary>
    public TimeSpan? GrantedExpires { get; private set; }

    /// <summary>Why the last attempt failed, when <see cref="State"/> is Failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised on the signalling queue for every state change; handlers must not block.</summary>
    public event EventHandler<RegistrationState>? StateChanged;

    /// <summary>The server the REGISTERs go to now (one of the registrar's RFC 3263 targets).</summary>
    public IPEndPoint? CurrentServer => _targets.Count > 0 ? _targets[Math.Min(_targetIndex, _targets.Count - 1)] : null;

    internal void Start() => _ua.Queue.Post(() => Send(Options.Expires, []));

    /// <summary>Resolves the registrar (RFC 3263) off the queue, then sends from the queue.</summary>
    private void ResolveThenSend(TimeSpan expires)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var targets = await _resolve(Registrar, CancellationToken.None).ConfigureAwait(false);
                _ua.Queue.Post(() =>
                {
                    if (targets.Count == 0)
                    {
                        Fail($"registrar {Registrar} resolves to no address");
                        return;
                    }

                    _targets = targets;
                    _targetIndex = 0;
                    Send(expires, []);
                });
            }
            catch (Exception ex)
            {
                _ua.Queue.Post(() => Fail($"cannot resolve registrar {Registrar}: {ex.Message}"));
            }
        });
    }

    /// <summary>RFC 3263 §4.3: on a timeout or 503, the next target of the registrar is tried before giving up.</summary>
    private bool TryNextServer(TimeSpan expires, string why)
    {
        if (_targetIndex + 1 >= _targets.Count) return false;
        _ua.Log.LogWarning("Registration {Aor}: {Why} from {Server}; trying {Next}", AddressOfRecord, why, CurrentServer, _targets[_targetIndex + 1]);
        _targetIndex++;
        if (!_stopping) SetState(RegistrationState.Registering); // the binding at the failed server is lost: ready again once the next one answers
        Send(expires, []);
        return true;
    }

    /// <summary>Removes the binding (REGISTER with Expires: 0) and waits for the answer, up to <paramref name="timeout"/>.</summary>
    internal async Task StopAsync(TimeSpan timeout)
    {
        var done = await _ua.Queue.InvokeAsync(() =>
        {
            _timer?.Dispose();
            _timer = null;
            _stopping = true;
            _stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (State is RegistrationState.Ready or RegistrationState.Registering)
            {
                SetState(RegistrationState.Unregistering);
                Send(TimeSpan.Zero, []);
            }
            else
            {
                SetState(RegistrationState.Unregistered);
                _stopped.TrySetResult();
            }

            return _stopped.Task;
        }).ConfigureAwait(false);
        await Task.WhenAny(done, Task.Delay(timeout)).ConfigureAwait(false);
    }

    private void Send(TimeSpan expires, IReadOnlyList<DigestAuthorization> authorizations, string? authHeader = null)
    {
        if (_targets.Count == 0)
        {
            if (!_stopping && State != RegistrationState.Ready) SetState(RegistrationState.Registering); // a refresh keeps Ready
            ResolveThenSend(expires);
            return;
        }

        var destination = _targets[_targetIndex];
        if (!_stopping && State != RegistrationState.Ready) SetState(RegistrationState.Registering); // a refresh keeps Ready
        var request = new SipRequest("REGISTER", SipUri.Create(null, Registrar.Host, Registrar.Port));
        request.AddHeader(SipHeaderNames.MaxForwards, SipMessageFactory.Format(_ua.Options.MaxForwards));
        request.AddHeader(SipHeaderNames.From, new SipNameAddr(AddressOfRecord, null).WithTag(_fromTag).ToString());
        request.AddHeader(SipHeaderNames.To, "<" + AddressOfRecord + ">");
        request.AddHeader(SipHeaderNames.CallId, _callId);
        request.AddHeader(SipHeaderNames.CSeq, new SipCSeq(++_cseq, "REGISTER").ToString());
        request.AddHeader(SipHeaderNames.Contact, _ua.ContactHeader);
        request.AddHeader("Expires", ((int)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        request.AddHeader("Allow", SipUserAgent.AllowValue);
        request.AddHeader("User-Agent", _ua.Options.UserAgent);
        foreach (var a in authorizations) request.AddHeader(authHeader ?? "Authorization", a.HeaderValue);
        request.AddHeader(SipHeaderNames.ContentLength, "0");
        int attempt = ++_attempt;
        bool answered = false;
        var tx = _ua.Layer.SendRequest(request, destination, r =>
        {
            if (attempt != _attempt) return; // a server we already moved on from
            answered = true;
            _failoverTimer?.Dispose();
            OnResponse(request, r, expires, authorizations);
        }, why =>
        {
            if (attempt != _attempt) return;
            _failoverTimer?.Dispose();
            if (!TryNextServer(expires, "no answer")) Fail("no answer from registrar: " + why);
        });

        // RFC 3263 §4.3 with the endpoint's FailoverTimeout (as for INVITEs): a server that does not answer at all
        // within it is given up for the next target, instead of waiting out the transaction timeout (64·T1).
        _failoverTimer?.Dispose();
        _failoverTimer = null;
        if (_targetIndex + 1 < _targets.Count && !_stopping)
        {
            var timeout = _ua.Options.FailoverTimeout;
            _failoverTimer = _ua.Layer.Time.CreateTimer(_ => _ua.Queue.Post(() =>
            {
                if (attempt != _attempt || answered || _stopping) return;
                tx.Abandon();
                TryNextServer(expires, $"no answer within {timeout.TotalSeconds:0.#} s");
            }), null, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnResponse(SipRequest request, SipResponse response, TimeSpan expires, IReadOnlyList<DigestAuthorization> previous)
    {
        if (response.IsProvisional) return;
        if (response.StatusCode is 401 or 407)
        {
            string challengeHeader = response.StatusCode == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
            string answerHeader = response.StatusCode == 401 ? "Authorization" : "Proxy-Authorization";
            if (_auth is null)
            {
                Fail($"{response.StatusCode} {response.ReasonPhrase}: the registrar wants credentials and none are configured");
                return;
            }

            if (!_auth.TryAnswer(response.GetValues(challengeHeader), previous, "REGISTER", request.RequestUriText, request.Body, out var answers, out var error))
            {
                Fail($"{response.StatusCode} {response.ReasonPhrase}: {error}");
                return;
            }

            Send(expires, answers, answerHeader);
            return;
        }

        if (response.StatusCode == 423 && response.GetHeader("Min-Expires") is { } min && int.TryParse(min.Trim(), CultureInfo.InvariantCulture, out int minSeconds))
        {
            Send(TimeSpan.FromSeconds(minSeconds), []); // RFC 3261 §10.2.8: retry with at least Min-Expires
            return;
        }

        if (response.StatusCode == 503 && TryNextServer(expires, "503 " + response.ReasonPhrase))
        {
            return;
        }

        if (!response.IsSuccess)
        {
            Fail($"{response.StatusCode} {response.ReasonPhrase}");
            return;
        }

        if (_stopping)
        {
            GrantedExpires = null;
            SetState(RegistrationState.Unregistered);
            _stopped?.TrySetResult();
            return;
        }

        _failures = 0;
        LastError = null;
        GrantedExpires = Granted(response) ?? expires;
        SetState(RegistrationState.Ready);

        // Refresh well before expiry: at half the lifetime, but never later than 10 s before it ends.
        var g = GrantedExpires.Value;
        var refresh = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, Math.Min(g.Ticks / 2, (g - TimeSpan.FromSeconds(10)).Ticks)));
        Schedule(refresh, () => Send(Options.Expires, []));
    }

    private TimeSpan? Granted(SipResponse response)
    {
        // Our own Contact's expires parameter wins over the Expires header (§10.2.4).
        foreach (var c in response.Contacts)
        {
            if (c.Uri is { } uri && string.Equals(uri.Host, _ua.ContactUri.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == _ua.ContactUri.Port
                && c.Parameters.Get("expires") is { } e && int.TryParse(e, CultureInfo.InvariantCulture, out int s))
            {
                return TimeSpan.FromSeconds(s);
            }
        }

        return response.GetHeader("Expires") is { } h && int.TryParse(h.Trim(), CultureInfo.InvariantCulture, out int seconds) ? TimeSpan.FromSeconds(seconds) : null;
    }

    private void Fail(string why)
    {
        LastError = why;
        _ua.Log.LogWarning("Registration {Aor} at {Registrar} failed: {Why}", AddressOfRecord, Registrar, why);
        if (_stopping)
        {
            SetState(RegistrationState.Unregistered);
            _stopped?.TrySetResult();
            return;
        }

        SetState(RegistrationState.Failed);
        _targets = []; // resolve afresh on the retry: DNS may point elsewhere by then
        double factor = Math.Pow(2, Math.Min(_failures++, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(Options.MaxRetryDelay.Ticks, Options.RetryDelay.Ticks * factor));
        Schedule(delay, () => Send(Options.Expires, []));
    }

    private void Schedule(TimeSpan delay, Action action)
    {
        _timer?.Dispose();
        _timer = _ua.Layer.Time.CreateTimer(_ => _ua.Queue.Post(() =>
        {
            if (!_stopping) action();
        }), null, delay, Timeout.InfiniteTimeSpan);
    }

    private void SetState(RegistrationState state)
    {
        if (State == state) return;
        State = state;
        try
        {
            StateChanged?.Invoke(this, state);
        }
        catch (Exception ex)
        {
            _ua.Log.LogError(ex, "Registration StateChanged handler threw");
        }
    }

    public override string ToString() => $"{AddressOfRecord} at {Registrar}: {State}";
}
