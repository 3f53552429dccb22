using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Protection;
using Pipeline.Sip.Transactions;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip;

/// <summary>
/// A SIP user agent over UDP, TCP and TLS: makes and takes calls. Layers: transport -> transactions -> dialogs -> calls; all
/// signalling state is handled on one serial work queue, and events (IncomingCall, Call.StateChanged…) are raised
/// there, so handlers must not block.
/// </summary>
public sealed class Endpoint : IAsyncDisposable
{
    private readonly EndpointOptions _options;
    private readonly ICallMediaFactory _mediaFactory;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private SipTransportSet? _transport;
    private SipWorkQueue? _queue;
    private SipUserAgent? _ua;
    private int _stopped;

    /// <param name="options">Settings; validated here (ArgumentException naming the bad option).</param>
    /// <param name="mediaFactory">Makes the media session of each call.</param>
    /// <param name="loggerFactory">Optional logging; SIP traces at Debug.</param>
    public Endpoint(EndpointOptions options, ICallMediaFactory mediaFactory, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mediaFactory);
        options.Validate();
        _options = options;
        _mediaFactory = mediaFactory;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggerFactory.CreateLogger<Endpoint>();
        _resolver = new Resolution.SipServerResolver(
            new Resolution.SipServerResolverOptions { NameServers = options.DnsServers, TimeProvider = options.TimeProvider },
            _loggerFactory.CreateLogger("Pipeline.Sip.Dns"));
    }

    private readonly Resolution.SipServerResolver _resolver;

    /// <summary>The validated options this endpoint runs with.</summary>
    public EndpointOptions Options => _options;

    /// <summary>Raised for each new incoming call after 180 Ringing was sent and its media session exists.</summary>
    public event EventHandler<Call>? IncomingCall;

    /// <summary>Raised for each outgoing call when it is created, before its INVITE is sent, so that a handler sees every state change.</summary>
    public event EventHandler<Call>? OutgoingCall;

    /// <summary>The bound SIP address (with the real port when bound to port 0). Valid after <see cref="StartAsync"/>.</summary>
    /// <remarks>UDP and TCP share this address.</remarks>
    public IPEndPoint LocalEndPoint => _transport?.Udp.LocalEndPoint ?? throw new InvalidOperationException("The endpoint is not started.");

    /// <summary>The TLS listening address, or null when <see cref="EndpointOptions.TlsBindEndPoint"/> is not set. Valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint? TlsLocalEndPoint => (_transport ?? throw new InvalidOperationException("The endpoint is not started.")).Tls.LocalEndPoint;

    /// <summary>Our address of record / Contact URI, e.g. sip:pipeline@127.0.0.1:5060. Valid after <see cref="StartAsync"/>.</summary>
    public SipUri LocalUri => Ua.ContactUri;

    /// <summary>Calls that have not ended yet.</summary>
    public IReadOnlyCollection<Call> Calls => _ua?.Calls ?? [];

    /// <summary>The UDP transport, for tests.</summary>
    internal UdpSipTransport? Transport => _transport?.Udp;

    /// <summary>All transports, for tests.</summary>
    internal SipTransportSet? Transports => _transport;

    /// <summary>The user agent (calls, dialogs, transaction layer), for tests.</summary>
    internal SipUserAgent? UserAgent => _ua;

    /// <summary>Admission control counters, for tests. Valid after <see cref="StartAsync"/>.</summary>
    internal SipProtection? Protection { get; private set; }

    private SipUserAgent Ua => _ua ?? throw new InvalidOperationException("The endpoint is not started; call StartAsync first.");

    /// <summary>Binds UDP and TCP (same port) and TLS if configured, and starts receiving.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_ua is not null)
        {
            throw new InvalidOperationException("The endpoint is already started.");
        }

        ObjectDisposedException.ThrowIf(_stopped != 0, this);
        _transport = CreateTransports();
        _queue = new SipWorkQueue(_log);
        var queue = _queue;
        var wire = _options.TransportDecorator?.Invoke(_transport) ?? _transport;
        _ua = new SipUserAgent(_options, _mediaFactory, _loggerFactory, wire, _queue)
        {
            IncomingCall = call => IncomingCall?.Invoke(this, call),
        };
        var layer = _ua.Layer;
        var protection = new SipProtection(_options, () => queue.Pending);
        Protection = protection;
        _transport.Udp.AdmitSize = protection.AdmitSize;
        _transport.SendFailed = (request, why) => queue.Post(() => layer.OnTransportError(request, why));
        wire.Start((message, remote) =>
        {
            switch (protection.Admit(message, remote))
            {
                case SipAdmission.Accept:
                    queue.Post(() => layer.OnMessage(message, remote));
                    break;
                case SipAdmission.Reject:
                    wire.SendResponse(protection.CreateBusy((SipRequest)message));
                    break;
            }
        });
        _log.LogInformation("SIP endpoint listening on udp+tcp:{EndPoint}{Tls} as {Uri}", _transport.Udp.LocalEndPoint, _transport.Tls.LocalEndPoint is { } t ? " tls:" + t : "", _ua.ContactUri);
        StartRegistrations();
        return Task.CompletedTask;
    }

    /// <summary>UDP and TCP on the same port (with port 0: the first port free for both), TLS where asked.</summary>
    private SipTransportSet CreateTransports()
    {
        var log = _loggerFactory.CreateLogger("Pipeline.Sip.Transport");
        var time = _options.TimeProvider;
        UdpSipTransport? udp = null;
        StreamSipTransport? tcp = null;
        for (var attempt = 0; ; attempt++)
        {
            udp = new UdpSipTransport(_options.BindEndPoint, log);
            try
            {
                tcp = new StreamSipTransport(tls: false, udp.LocalEndPoint, null, null, time, log) { IdleTimeout = _options.ConnectionIdleTimeout };
                break;
            }
            catch (System.Net.Sockets.SocketException) when (_options.BindEndPoint.Port == 0 && attempt < 20)
            {
                udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch
            {
                udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        StreamSipTransport tls;
        try
        {
            var client = new TlsClientSettings(_options.TlsTrustedRoots, _options.TlsServerCertificateValidation);
            tls = new StreamSipTransport(tls: true, _options.TlsBindEndPoint, _options.TlsCertificate, client, time, log) { IdleTimeout = _options.ConnectionIdleTimeout };
        }
        catch
        {
            udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            tcp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return new SipTransportSet(udp, tcp, tls, _options.Transport, log);
    }

    /// <summary>
    /// Calls <paramref name="targetUri"/> (e.g. "sip:bob@127.0.0.1:5062"). Completes when the call is established
    /// (2xx received, ACK sent, media applied). Throws <see cref="CallFailedException"/> on a final non-2xx or a
    /// timeout, and <see cref="OperationCanceledException"/> (after sending CANCEL) when the token is cancelled.
    /// </summary>
    public async Task<Call> CallAsync(string targetUri, CancellationToken cancellationToken = default)
    {
        var ua = Ua;
        if (!SipUri.TryParse(targetUri, out var target, out var error))
        {
            throw new ArgumentException($"Invalid target URI '{targetUri}': {error}", nameof(targetUri));
        }

        var targets = await ResolveTargetsAsync(target, cancellationToken).ConfigureAwait(false);

        var callId = SipMessageFactory.NewCallId(ua.ContactUri.Host.Trim('[', ']'));
        var media = await _mediaFactory.CreateAsync(callId, cancellationToken).ConfigureAwait(false);
        var call = new Call(ua, CallDirection.Outgoing, callId, target.ToString());
        call.SetMedia(media);
        try
        {
            OutgoingCall?.Invoke(this, call);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "OutgoingCall handler threw");
        }

        Task<Call> established;
        try
        {
            established = await ua.Queue.InvokeAsync(() =>
            {
                ua.AddCall(call);
                return call.StartOutgoing(target, targets);
            }).ConfigureAwait(false);
        }
        catch
        {
            await media.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        using var registration = cancellationToken.Register(() => ua.Queue.Post(call.CancelOutgoing));
        try
        {
            return await established.ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            throw new OperationCanceledException("The call was cancelled before it was answered.", cancellationToken);
        }
    }

    /// <summary>Where a request to <paramref name="target"/> goes, in failover order: the outbound proxies (each with
    /// its Route value) when configured, else the RFC 3263 targets of the URI itself.</summary>
    private async Task<IReadOnlyList<(IPEndPoint Destination, string? Route)>> ResolveTargetsAsync(SipUri target, CancellationToken cancellationToken)
    {
        var targets = new List<(IPEndPoint Destination, string? Route)>();
        if (_options.OutboundProxies.Count > 0)
        {
            foreach (var proxy in _options.OutboundProxies)
            {
                var p = SipUri.Parse(proxy);
                try
                {
                    foreach (var ep in await ResolveUdpAsync(p, cancellationToken).ConfigureAwait(false)) targets.Add((ep, "<" + p.WithoutHeaders() + ";lr>"));
                }
                catch (Exception ex) when (ex is ArgumentException or System.Net.Sockets.SocketException or Resolution.SipDnsException)
                {
                    _log.LogWarning("Outbound proxy {Proxy} cannot be resolved: {Error}", proxy, ex.Message);
                }
            }

            if (targets.Count == 0) throw new CallFailedException(503, "Service Unavailable (no outbound proxy could be resolved)");
        }
        else
        {
            try
            {
                foreach (var ep in await ResolveUdpAsync(target, cancellationToken).ConfigureAwait(false)) targets.Add((ep, null));
            }
            catch (Resolution.SipDnsException ex)
            {
                throw new CallFailedException(404, $"Not Found ({ex.Message})");
            }
        }

        return targets;
    }

    /// <summary>
    /// Sends a request outside any dialog (e.g. OPTIONS as a keep-alive or capability query, MESSAGE) to
    /// <paramref name="targetUri"/> and returns the final answer. Goes through the outbound proxies when configured,
    /// else to the URI's RFC 3263 targets (the next one on a timeout or 503). A 401/407 is answered once per realm with
    /// the endpoint's credentials (stale=true with a new nonce: once more), as for in-dialog requests
    /// (<see cref="Call.SendRequestAsync"/>). Does not throw for a non-2xx answer.
    /// </summary>
    /// <exception cref="ArgumentException">A bad URI, method, header or content type.</exception>
    /// <exception cref="CallFailedException">The target cannot be resolved (404) or no outbound proxy can (503).</exception>
    public async Task<SipRequestResult> SendRequestAsync(
        string targetUri, string method, IEnumerable<(string Name, string Value)>? headers = null, string? contentType = null,
        ReadOnlyMemory<byte> body = default, CancellationToken cancellationToken = default)
    {
        var ua = Ua;
        if (!SipUri.TryParse(targetUri, out var target, out var error))
        {
            throw new ArgumentException($"Invalid target URI '{targetUri}': {error}", nameof(targetUri));
        }

        var extra = Call.ValidateRequest(method, headers, contentType, body);
        var bytes = body.ToArray();
        var targets = await ResolveTargetsAsync(target, cancellationToken).ConfigureAwait(false);
        var pending = await ua.Queue.InvokeAsync(() => ua.SendOutOfDialog(target, method, extra, contentType, bytes, targets)).ConfigureAwait(false);
        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 3263 targets of <paramref name="uri"/>, in the order to try them.</summary>
    private async Task<IReadOnlyList<IPEndPoint>> ResolveUdpAsync(SipUri uri, CancellationToken cancellationToken)
    {
        var targets = await _resolver.ResolveAsync(uri, cancellationToken).ConfigureAwait(false);
        var result = new List<IPEndPoint>();
        foreach (var t in targets)
        {
            // The transport is chosen per request from the URI (sips:, ;transport=) and its size (§18.1.1).
            if (!result.Contains(t.EndPoint)) result.Add(t.EndPoint);
        }

        if (result.Count == 0) throw new ArgumentException($"'{uri}' resolves to no target", nameof(uri));
        return result;
    }

    private static async Task<IPEndPoint> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return new IPEndPoint(ip, port);
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0 ? new IPEndPoint(addresses[0], port) : throw new ArgumentException($"Cannot resolve host '{host}'.", nameof(host));
    }

    /// <summary>Hangs up every call (BYE, waiting up to HangupTimeout for answers), disposes media, closes the socket.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _ua is null)
        {
            return;
        }

        var calls = _ua.Calls.ToArray();
        var hangups = Array.ConvertAll(calls, c => c.HangupAsync());
        var all = Task.WhenAll(hangups);
        try
        {
            await all.WaitAsync(_options.HangupTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or CallFailedException or InvalidOperationException)
        {
            _log.LogInformation("Not every call confirmed its hang-up: {Error}", ex.Message);
        }

        // Whatever did not finish in time ends now.
        await _queue!.InvokeAsync(() =>
        {
            foreach (var c in _ua.LiveCalls.ToArray())
            {
                c.End(CallEndReason.LocalHangup);
            }
        }).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(Array.ConvertAll(calls, c => c.Completion)).WaitAsync(_options.HangupTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("Some media sessions did not close in time");
        }

        // Unregister from every registrar (Expires: 0) before the socket closes.
        await Task.WhenAll(_registrations.Select(r => r.StopAsync(_options.HangupTimeout))).ConfigureAwait(false);

        await _transport!.DisposeAsync().ConfigureAwait(false);
        await _queue.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The registrations of <see cref="EndpointOptions.Registrations"/>, one per server, started by <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<Registration.Registration> Registrations => _registrations;

    /// <summary>Raised (on the signalling queue) whenever one of the registrations changes state.</summary>
    public event EventHandler<Registration.Registration>? RegistrationChanged;

    private readonly List<Registration.Registration> _registrations = [];

    private void StartRegistrations()
    {
        foreach (var o in _options.Registrations)
        {
            var r = new Registration.Registration(Ua, o, ResolveUdpAsync);
            r.StateChanged += (_, _) => RegistrationChanged?.Invoke(this, r);
            _registrations.Add(r);
            r.Start();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
