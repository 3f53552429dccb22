using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transport;

/// <summary>
/// SIP over TCP or TLS (RFC 3261 §18, RFC 5630 for TLS): an optional listener plus a table of connections keyed
/// by remote endpoint. A send reuses any open connection to the destination, whichever side opened it (a peer that
/// put <c>alias</c> in its Via, RFC 5923, is also reachable at its Via sent-by over the connection it opened);
/// otherwise a connection is opened. Connections idle longer than <see cref="IdleTimeout"/> are closed.
/// Framing is by Content-Length (<see cref="SipStreamFramer"/>); a message without a usable one gets 400 and the
/// connection is closed, as is one larger than <see cref="MaxMessageSize"/>.
/// </summary>
internal sealed class StreamSipTransport : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, SipStreamConnection> _connections = new();
    private readonly ConcurrentDictionary<SipStreamConnection, string> _validationErrors = new();
    private readonly Socket? _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly X509Certificate2? _certificate;
    private readonly TlsClientSettings _client;
    private Action<SipMessage, IPEndPoint>? _onMessage;
    private Task _acceptLoop = Task.CompletedTask;
    private ITimer? _idleTimer;

    /// <param name="tls">TLS instead of plain TCP.</param>
    /// <param name="bind">Where to listen, or null for a transport that only opens connections.</param>
    /// <param name="certificate">Our server certificate (TLS listener only).</param>
    /// <param name="client">How server certificates are checked when we connect (TLS only).</param>
    public StreamSipTransport(bool tls, IPEndPoint? bind, X509Certificate2? certificate, TlsClientSettings? client, TimeProvider time, ILogger? logger = null)
    {
        IsTls = tls;
        Time = time;
        Log = logger ?? NullLogger.Instance;
        _certificate = certificate;
        _client = client ?? new TlsClientSettings(null, null);
        if (bind is not null)
        {
            _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                _listener.Bind(bind);
                _listener.Listen(128);
            }
            catch
            {
                _listener.Dispose();
                throw;
            }

            LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        }
    }

    public string Protocol => IsTls ? "TLS" : "TCP";

    public bool IsTls { get; }

    /// <summary>The listening address, or null when this transport does not listen.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    public TimeProvider Time { get; }

    public ILogger Log { get; }

    public int MaxMessageSize { get; set; } = 65535;

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After a framing error, how long the connection stays open for answers already on their way.</summary>
    public TimeSpan CloseGrace { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Open connections (for tests and diagnostics).</summary>
    public IReadOnlyCollection<SipStreamConnection> Connections => [.. _connections.Values.Distinct()];

    /// <summary>Test hook: observes every message sent, with the connection it goes on.</summary>
    internal Action<SipMessage, SipStreamConnection>? Sent { get; set; }

    public void Start(Action<SipMessage, IPEndPoint> onMessage)
    {
        _onMessage = onMessage;
        if (_listener is not null)
        {
            _acceptLoop = AcceptLoopAsync(_cts.Token);
        }

        var period = IdleTimeout < TimeSpan.FromSeconds(20) ? IdleTimeout / 2 : TimeSpan.FromSeconds(10);
        _idleTimer = Time.CreateTimer(_ => CloseIdle(), null, period, period);
    }

    /// <summary>
    /// Sends a message to <paramref name="destination"/> over an existing connection or a new one.
    /// <paramref name="targetHost"/> is the name the server certificate must match (TLS).
    /// </summary>
    public void Send(SipMessage message, IPEndPoint destination, string? targetHost, Action<string>? failed)
    {
        destination = Normalize(destination);
        if (!_connections.TryGetValue(destination, out var connection) || !connection.IsOpen)
        {
            connection = Open(destination, targetHost);
        }

        SendOn(connection, message, failed);
    }

    /// <summary>Sends on a given connection (a response on the connection its request came on).</summary>
    public void SendOn(SipStreamConnection connection, SipMessage message, Action<string>? failed)
    {
        Sent?.Invoke(message, connection);
        var bytes = SipWriter.Write(message);
        if (Log.IsEnabled(LogLevel.Debug))
        {
            Log.LogDebug("SIP send over {Protocol} to {Remote}:\n{Message}", Protocol, connection.Remote, System.Text.Encoding.UTF8.GetString(bytes));
        }

        connection.Enqueue(bytes, failed ?? (why => Log.LogWarning("SIP send over {Protocol} to {Remote} failed: {Error}", Protocol, connection.Remote, why)));
    }

    /// <summary>The open connection to <paramref name="remote"/>, if any.</summary>
    public SipStreamConnection? Find(IPEndPoint remote) =>
        _connections.TryGetValue(Normalize(remote), out var c) && c.IsOpen ? c : null;

    private SipStreamConnection Open(IPEndPoint destination, string? targetHost)
    {
        while (true)
        {
            var created = new SipStreamConnection(this, destination, targetHost);
            var existing = _connections.GetOrAdd(destination, created);
            if (existing == created)
            {
                Log.LogDebug("Opening {Protocol} connection to {Remote}", Protocol, destination);
                created.Start();
                return created;
            }

            if (existing.IsOpen)
            {
                return existing;
            }

            _connections.TryRemove(new KeyValuePair<IPEndPoint, SipStreamConnection>(destination, existing));
        }
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                Log.LogDebug("{Protocol} accept error {Error}", Protocol, ex.SocketErrorCode);
                continue;
            }

            var connection = new SipStreamConnection(this, socket);
            _connections[connection.Remote] = connection;
            Log.LogDebug("Accepted {Protocol} connection from {Remote}", Protocol, connection.Remote);
            connection.Start();
        }
    }

    /// <summary>Called by a connection for each framed message.</summary>
    internal void OnStreamMessage(SipStreamConnection connection, ReadOnlySpan<byte> data)
    {
        var remote = connection.Remote;
        if (Log.IsEnabled(LogLevel.Debug))
        {
            Log.LogDebug("SIP received over {Protocol} from {Remote}:\n{Message}", Protocol, remote, System.Text.Encoding.UTF8.GetString(data));
        }

        SipMessage? message;
        SipParseError? error;
        try
        {
            message = SipParser.Parse(data, out error);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LogError(ex, "Parser failure on a message from {Remote}", remote);
            return;
        }

        if (error is not null)
        {
            if (message is SipRequest request && request.Method != "ACK" && SipMessageFactory.CanRespond(request))
            {
                Log.LogInformation("Rejecting malformed {Method} from {Protocol}:{Remote}: {Error}", request.Method, Protocol, remote, error.ReasonPhrase);
                var response = SipMessageFactory.CreateResponse(request, error.StatusCode, error.ReasonPhrase, SipMessageFactory.NewTag());
                if (error.StatusCode == 505)
                {
                    response.Version = "SIP/2.0";
                }

                SendOn(connection, response, null);
            }
            else
            {
                Log.LogInformation("Dropping malformed message from {Protocol}:{Remote}: {Error}", Protocol, remote, error.ReasonPhrase);
            }

            return;
        }

        message!.Connection = connection;
        if (message is SipRequest req)
        {
            try
            {
                SipResponseRouting.StampTopVia(req, remote);
                RegisterAlias(req, connection);
            }
            catch (SipParseException)
            {
                return;
            }
        }

        try
        {
            _onMessage?.Invoke(message, remote);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LogError(ex, "Error handling a message from {Remote}", remote);
        }
    }

    /// <summary>Called when the headers end without a usable Content-Length: 400 (if we can), then the connection closes.</summary>
    internal void OnFramingError(SipStreamConnection connection, byte[] headerBlock, string reason)
    {
        Log.LogInformation("Closing {Protocol} connection {Remote}: {Reason}", Protocol, connection.Remote, reason);
        var message = SipParser.Parse(headerBlock, out _);
        if (message is SipRequest request && request.Method != "ACK" && SipMessageFactory.CanRespond(request))
        {
            SendOn(connection, SipMessageFactory.CreateResponse(request, 400, reason, SipMessageFactory.NewTag()), null);
        }
    }

    /// <summary>RFC 5923: a peer whose Via has <c>alias</c> may be reached at its sent-by over this connection.</summary>
    private void RegisterAlias(SipRequest request, SipStreamConnection connection)
    {
        var via = request.TopVia;
        if (via is null || !via.Parameters.Contains("alias") || !IPAddress.TryParse(via.Host.Trim('[', ']'), out var host))
        {
            return;
        }

        host = host.IsIPv4MappedToIPv6 ? host.MapToIPv4() : host;
        if (!host.Equals(connection.Remote.Address))
        {
            return; // only for the address the connection really comes from
        }

        var alias = new IPEndPoint(host, via.Port ?? (IsTls ? 5061 : 5060));
        if (!alias.Equals(connection.Remote))
        {
            _connections.AddOrUpdate(alias, connection, (_, old) => old.IsOpen && old != connection && old.IsOutgoing ? old : connection);
        }
    }

    internal void OnClosed(SipStreamConnection connection)
    {
        foreach (var kv in _connections)
        {
            if (kv.Value == connection)
            {
                _connections.TryRemove(kv);
            }
        }

        _validationErrors.TryRemove(connection, out _);
    }

    private void CloseIdle()
    {
        var now = Time.GetTimestamp();
        foreach (var c in _connections.Values)
        {
            if (Time.GetElapsedTime(c.LastActivity, now) > IdleTimeout)
            {
                c.Close("idle timeout");
            }
        }
    }

    internal SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = _certificate ?? throw new InvalidOperationException("No TLS server certificate configured (EndpointOptions.TlsCertificate)."),
        ClientCertificateRequired = false,
        EnabledSslProtocols = System.Security.Authentication.SslProtocols.None,
    };

    internal SslClientAuthenticationOptions ClientOptions(SipStreamConnection connection, string targetHost)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.None,
        };
        if (_client.TrustedRoots is { Count: > 0 } roots)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            options.CertificateChainPolicy = policy;
        }

        var custom = _client.Validation;
        options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            var ok = custom is not null ? custom(sender, certificate, chain, errors) : errors == SslPolicyErrors.None;
            if (!ok)
            {
                _validationErrors[connection] = Describe(errors, certificate, chain);
            }

            return ok;
        };
        return options;
    }

    internal string? LastValidationError(SipStreamConnection connection) =>
        _validationErrors.TryGetValue(connection, out var e) ? e : null;

    private static string Describe(SslPolicyErrors errors, X509Certificate? certificate, X509Chain? chain)
    {
        var subject = certificate?.Subject ?? "(none)";
        if (errors == SslPolicyErrors.None)
        {
            return $"the server certificate {subject} was refused by the validation callback";
        }

        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            parts.Add("the server sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            parts.Add($"the server certificate {subject} does not match the host name");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain is null ? "" : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
            parts.Add($"the server certificate {subject} is not trusted ({status})");
        }

        return string.Join("; ", parts);
    }

    private static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        _idleTimer?.Dispose();
        _listener?.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        var all = _connections.Values.Distinct().ToArray();
        foreach (var c in all)
        {
            c.Close("transport stopped");
        }

        try
        {
            await Task.WhenAll(all.Select(c => c.Completion)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _cts.Dispose();
    }
}
