using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Pipeline.Sip.Resolution;
using Pipeline.Sip.Sdp;

namespace Pipeline.Sip;

/// <summary>Settings of an <see cref="Endpoint"/>. <see cref="Validate"/> throws an exception naming the bad option.</summary>
public sealed record EndpointOptions
{
    /// <summary>
    /// Local address and port for SIP over UDP and TCP (both listen on the same port). Port 0 lets the OS choose
    /// (see <see cref="Endpoint.LocalEndPoint"/>).
    /// </summary>
    public IPEndPoint BindEndPoint { get; init; } = new(IPAddress.Loopback, 5060);

    /// <summary>Where to listen for SIP over TLS, or null for no TLS listener (outgoing TLS still works). Needs <see cref="TlsCertificate"/>.</summary>
    public IPEndPoint? TlsBindEndPoint { get; init; }

    /// <summary>Our TLS server certificate, with its private key (required with <see cref="TlsBindEndPoint"/>).</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// Extra root certificates trusted for the servers we connect to over TLS (e.g. a private CA); when set, only
    /// these roots are trusted. Null: the system's trust store. The host name is checked either way.
    /// </summary>
    public X509Certificate2Collection? TlsTrustedRoots { get; init; }

    /// <summary>Decides on server certificates instead of the default checks (chain and host name), or null.</summary>
    public RemoteCertificateValidationCallback? TlsServerCertificateValidation { get; init; }

    /// <summary>
    /// The transport of requests we send unless the next hop says otherwise (<c>sips:</c>, <c>;transport=</c>).
    /// With UDP, a request larger than 1300 bytes still goes over TCP (RFC 3261 §18.1.1).
    /// </summary>
    public SipTransportKind Transport { get; init; } = SipTransportKind.Udp;

    /// <summary>TCP/TLS connections with no traffic for this long are closed (default 5 minutes).</summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>User part of our URI and Contact.</summary>
    public string UserName { get; init; } = "pipeline";

    /// <summary>Display name in From of our requests, or null.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Codec names in preference order, as <see cref="CodecRegistry"/> knows them (built in: PCMU, PCMA, G722),
    /// plus <c>telephone-event</c> for RFC 4733 events. An unknown name fails <see cref="Validate"/>.</summary>
    public IReadOnlyList<string> Codecs { get; init; } = ["PCMU", "PCMA"];

    /// <summary>
    /// Where codec names are looked up: rtpmap, payload type, fmtp rules (null: <see cref="Pipeline.Codecs.CodecRegistry.Default"/>).
    /// Give the media factory the same registry (<c>CallMediaOptions.Codecs</c>) so that what is negotiated can be encoded.
    /// </summary>
    public Pipeline.Codecs.CodecRegistry? CodecRegistry { get; init; }

    /// <summary>Answer incoming calls automatically (IncomingCall is still raised first).</summary>
    public bool AutoAnswer { get; init; }

    /// <summary>RFC 3261 T1, the RTT estimate (default 500 ms).</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>RFC 3261 T2, the maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>RFC 3261 T4, the maximum time a message stays in the network (default 5 s).</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>User-Agent / Server header value.</summary>
    public string UserAgent { get; init; } = "Pipeline/0.1";

    /// <summary>Max-Forwards of requests we send.</summary>
    public int MaxForwards { get; init; } = 70;

    /// <summary>How long StopAsync waits for the answers to its BYEs.</summary>
    public TimeSpan HangupTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Registrations to keep alive, one per server (a primary and a backup site, say); calls are accepted from any.</summary>
    public IReadOnlyList<Registration.RegistrationOptions> Registrations { get; init; } = [];

    /// <summary>Digest credentials for 401/407 challenges to our INVITEs and other requests (any realm unless the
    /// credentials name one). Registrations carry their own.</summary>
    public Auth.DigestCredentials? Credentials { get; init; }

    /// <summary>Outbound proxies in failover order (e.g. the primary and backup site's SIP servers). Calls we make go
    /// to the first (with a loose-routing Route header) and move to the next on no answer within
    /// <see cref="FailoverTimeout"/>, a transaction timeout or 503. Empty: calls go straight to the target.</summary>
    public IReadOnlyList<string> OutboundProxies { get; init; } = [];

    /// <summary>How long a call waits for any answer from one server before trying the next outbound proxy.</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>DNS servers for RFC 3263 resolution (NAPTR, SRV, A/AAAA) of registrars, proxies and targets; empty uses the system's.</summary>
    public IReadOnlyList<IPEndPoint> DnsServers { get; init; } = [];

    /// <summary>Clock for SIP timers; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Largest SIP message accepted, in bytes (default 65,536). A larger UDP datagram is dropped unparsed; a stream
    /// transport answers 413 Request Entity Too Large when it can still parse the headers.
    /// </summary>
    public int MaxMessageSize { get; init; } = 65_536;

    /// <summary>
    /// Most server transactions at work at once (default 50,000): requests without a final response yet, and INVITEs
    /// whose error response waits for its ACK. When full, a new request gets a stateless 503 Service Unavailable with
    /// Retry-After; the last 10% are kept for in-dialog requests and CANCEL. Completed transactions do not count here:
    /// see <see cref="MaxCompletedTransactions"/>.
    /// </summary>
    public int MaxServerTransactions { get; init; } = 50_000;

    /// <summary>
    /// Most completed server transactions remembered to absorb retransmissions (default 250,000). A transaction whose
    /// final response is out stays 64×T1 (32 s; T4 after the ACK of an error) as a compact record of about 0.5 KB (its
    /// key and, for non-INVITE, the encoded response; no request, no timer), so each call/s of sustained load holds about
    /// 64 of them (INVITE and BYE, ~35 KB): the default carries ~3,900 calls/s in at most ~150 MB. When full, the record
    /// closest to expiry is forgotten early: memory stays bounded and no request is refused for it.
    /// </summary>
    public int MaxCompletedTransactions { get; init; } = 250_000;

    /// <summary>Most calls (dialogs) at once (default 1,000); a new INVITE beyond it gets 503 with Retry-After.</summary>
    public int MaxDialogs { get; init; } = 1_000;

    /// <summary>
    /// Sustained requests per second accepted from one source IP address (token bucket; default 1,000, 0 = no limit).
    /// Responses are never limited. A call costs about three requests (INVITE, ACK, BYE), so the default holds
    /// ~330 calls per second from one proxy; raise it (or use 0) for load tests through a single peer.
    /// </summary>
    public double RequestsPerSecondPerSource { get; init; } = 1_000;

    /// <summary>Bucket size of the per-source rate limit: how many requests may arrive at once (default 2,000).</summary>
    public int RequestBurstPerSource { get; init; } = 2_000;

    /// <summary>
    /// What happens to a request over the rate limit (or arriving while the signalling queue is full): INVITEs get a
    /// stateless 503 with Retry-After when true (default), everything else is dropped silently.
    /// </summary>
    public bool RejectExcessInvites { get; init; } = true;

    /// <summary>Retry-After (whole seconds) of every 503 sent for overload (default 5 s).</summary>
    public TimeSpan OverloadRetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Received messages waiting for the signalling queue beyond which new requests are refused like rate-limited ones (default 10,000).</summary>
    public int MaxQueuedMessages { get; init; } = 10_000;

    /// <summary>
    /// How long an incoming call may ring unanswered before it is refused with 480 Temporarily Unavailable and ended
    /// (default 3 minutes; <see cref="Timeout.InfiniteTimeSpan"/> = never). Bounds what a flood of INVITEs can hold.
    /// </summary>
    public TimeSpan IncomingCallTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Wraps the transport (tests: loss, delay). Not part of the public API.</summary>
    internal Func<Transport.ISipTransport, Transport.ISipTransport>? TransportDecorator { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        foreach (var p in OutboundProxies ?? throw new ArgumentException("EndpointOptions.OutboundProxies must not be null.", nameof(OutboundProxies)))
        {
            if (!Messages.SipUri.TryParse(p, out _, out var error)) throw new ArgumentException($"Outbound proxy '{p}' is not a SIP URI: {error}", nameof(OutboundProxies));
        }

        if (FailoverTimeout <= TimeSpan.Zero) throw new ArgumentException("EndpointOptions.FailoverTimeout must be positive.", nameof(FailoverTimeout));

        foreach (var r in Registrations ?? throw new ArgumentException("EndpointOptions.Registrations must not be null.", nameof(Registrations)))
        {
            r.Validate();
        }

        if (BindEndPoint is null)
        {
            throw new ArgumentException("EndpointOptions.BindEndPoint must be set.", nameof(BindEndPoint));
        }

        if (string.IsNullOrEmpty(UserName) || !UserName.All(c => char.IsAsciiLetterOrDigit(c) || "-_.!~*'()&=+$,;?/".Contains(c, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"EndpointOptions.UserName '{UserName}' is empty or has characters not allowed in a SIP user part.", nameof(UserName));
        }

        if (DisplayName is not null && DisplayName.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("EndpointOptions.DisplayName must not contain '\"'.", nameof(DisplayName));
        }

        if (Codecs is null || Codecs.Count == 0)
        {
            throw new ArgumentException("EndpointOptions.Codecs must name at least one codec.", nameof(Codecs));
        }

        _ = new SdpNegotiator(Codecs, "pipeline", CodecRegistry);
        if (T1 <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EndpointOptions.T1 must be positive (was {T1}).", nameof(T1));
        }

        if (T2 < T1)
        {
            throw new ArgumentException($"EndpointOptions.T2 ({T2}) must not be less than T1 ({T1}).", nameof(T2));
        }

        if (T4 <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EndpointOptions.T4 must be positive (was {T4}).", nameof(T4));
        }

        if (MaxForwards is < 1 or > 255)
        {
            throw new ArgumentException($"EndpointOptions.MaxForwards must be 1..255 (was {MaxForwards}).", nameof(MaxForwards));
        }

        if (string.IsNullOrWhiteSpace(UserAgent) || UserAgent.Contains('\r', StringComparison.Ordinal) || UserAgent.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("EndpointOptions.UserAgent must be a non-empty single line.", nameof(UserAgent));
        }

        if (HangupTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("EndpointOptions.HangupTimeout must not be negative.", nameof(HangupTimeout));
        }

        if (MaxMessageSize is < 1024 or > 65_536)
        {
            throw new ArgumentException($"EndpointOptions.MaxMessageSize must be 1024..65536 bytes (was {MaxMessageSize}).", nameof(MaxMessageSize));
        }

        if (MaxServerTransactions < 10)
        {
            throw new ArgumentException($"EndpointOptions.MaxServerTransactions must be at least 10 (was {MaxServerTransactions}).", nameof(MaxServerTransactions));
        }

        if (MaxCompletedTransactions < 0)
        {
            throw new ArgumentException($"EndpointOptions.MaxCompletedTransactions must not be negative (was {MaxCompletedTransactions}).", nameof(MaxCompletedTransactions));
        }

        if (MaxDialogs < 1)
        {
            throw new ArgumentException($"EndpointOptions.MaxDialogs must be at least 1 (was {MaxDialogs}).", nameof(MaxDialogs));
        }

        if (RequestsPerSecondPerSource < 0 || double.IsNaN(RequestsPerSecondPerSource))
        {
            throw new ArgumentException($"EndpointOptions.RequestsPerSecondPerSource must be 0 (no limit) or positive (was {RequestsPerSecondPerSource}).", nameof(RequestsPerSecondPerSource));
        }

        if (RequestBurstPerSource < 1)
        {
            throw new ArgumentException($"EndpointOptions.RequestBurstPerSource must be at least 1 (was {RequestBurstPerSource}).", nameof(RequestBurstPerSource));
        }

        if (OverloadRetryAfter < TimeSpan.Zero || OverloadRetryAfter > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"EndpointOptions.OverloadRetryAfter must be 0..24 h (was {OverloadRetryAfter}).", nameof(OverloadRetryAfter));
        }

        if (MaxQueuedMessages < 1)
        {
            throw new ArgumentException($"EndpointOptions.MaxQueuedMessages must be at least 1 (was {MaxQueuedMessages}).", nameof(MaxQueuedMessages));
        }

        if (IncomingCallTimeout <= TimeSpan.Zero && IncomingCallTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"EndpointOptions.IncomingCallTimeout must be positive or Timeout.InfiniteTimeSpan (was {IncomingCallTimeout}).", nameof(IncomingCallTimeout));
        }

        if (TlsBindEndPoint is not null && TlsCertificate is null)
        {
            throw new ArgumentException("EndpointOptions.TlsCertificate must be set when TlsBindEndPoint is.", nameof(TlsCertificate));
        }

        if (TlsCertificate is not null && !TlsCertificate.HasPrivateKey)
        {
            throw new ArgumentException($"EndpointOptions.TlsCertificate ({TlsCertificate.Subject}) has no private key.", nameof(TlsCertificate));
        }

        if (!Enum.IsDefined(Transport))
        {
            throw new ArgumentException($"EndpointOptions.Transport has an unknown value {(int)Transport}.", nameof(Transport));
        }

        if (ConnectionIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EndpointOptions.ConnectionIdleTimeout must be positive (was {ConnectionIdleTimeout}).", nameof(ConnectionIdleTimeout));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("EndpointOptions.TimeProvider must be set.", nameof(TimeProvider));
        }
    }
}
