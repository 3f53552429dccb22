using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;
using Pipeline.Core.Graph;
using Pipeline.Devices;
using Pipeline.Sip.Resolution;
using Pipeline.Sip;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;
using Pipeline.Sip.Transport;
using Pipeline.Sip.Registration;

namespace Pipeline.Cli;

/// <summary>
/// <c>phone</c>: a scriptable endpoint.
/// <code>
///   args ──► PhoneOptions ──► Endpoint (SIP over UDP+TCP, TLS) + CallMediaFactory (graph per call: source ─► RTP, RTP ─► recorder)
///                                  │ call events ──► EventWriter (one JSON line each)
/// </code>
/// </summary>
internal static class PhoneCommand
{
    public static async Task<int> RunAsync(PhoneOptions o, CancellationToken stop)
    {
        using var loggerFactory = LoggerFactory.Create(b =>
        {
            b.AddSimpleConsole(c => c.SingleLine = true);
            b.SetMinimumLevel(o.Verbose ? LogLevel.Debug : LogLevel.Warning);
        });
        var events = new EventWriter(Console.Out, o.Events);
        if (o.RecordDirectory is not null) Directory.CreateDirectory(o.RecordDirectory);

        // G.729 (bcg729, GPL) is optional: it joins the registry only when --codecs names it and the library loads.
        var codecs = CodecRegistry.CreateDefault();
        if (o.Codecs.Any(c => string.Equals(c, "G729", StringComparison.OrdinalIgnoreCase)))
        {
            if (!G729Codec.IsAvailable)
            {
                Console.Error.WriteLine($"Pipeline.Cli: --codecs names G729, but {G729Codec.UnavailableReason}");
                return 1;
            }

            G729Codec.Register(codecs);
        }

        var mediaOptions = new CallMediaOptions
        {
            Codecs = codecs,
            Clock = MediaClock.Shared,
            LocalAddress = o.Bind.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : o.Bind.Address,
            RtpPortLow = o.RtpPortLow,
            RtpPortHigh = o.RtpPortHigh,
            Source = ctx => CallAudio.CreateSource(ctx, o.PlayFile, o.ToneHz),
            Recorder = o.RecordDirectory is null ? null : ctx => CallAudio.CreateRecorder(ctx, o.RecordDirectory),
            LoggerFactory = loggerFactory,
        };

        X509Certificate2? certificate = null;
        X509Certificate2Collection? trusted = null;
        try
        {
            if (o.TlsCertFile is not null) certificate = X509CertificateLoader.LoadPkcs12FromFile(o.TlsCertFile, o.TlsPassword);
            if (o.TlsCaFile is not null) trusted = [X509CertificateLoader.LoadCertificateFromFile(o.TlsCaFile)];
        }
        catch (CryptographicException ex)
        {
            Console.Error.WriteLine($"Pipeline.Cli: cannot load {(certificate is null ? o.TlsCertFile : o.TlsCaFile)}: {ex.Message}");
            return 1;
        }

        var defaults = new EndpointOptions();
        var endpointOptions = new EndpointOptions
        {
            RequestsPerSecondPerSource = o.MaxRatePerSource ?? defaults.RequestsPerSecondPerSource,
            BindEndPoint = o.Bind,
            UserName = o.User,
            Codecs = o.Codecs,
            CodecRegistry = codecs,
            AutoAnswer = o.AutoAnswer,
            TlsBindEndPoint = o.TlsBind,
            TlsCertificate = certificate,
            TlsTrustedRoots = trusted,
            Transport = o.Transport switch { "tcp" => SipTransportKind.Tcp, "tls" => SipTransportKind.Tls, _ => SipTransportKind.Udp },
            Credentials = o.Password is null ? null : new Pipeline.Sip.Auth.DigestCredentials(o.AuthUser ?? o.User, o.Password),
            OutboundProxies = o.Proxies,
            DnsServers = o.DnsServers,
            Registrations = o.Registrars.ConvertAll(r => new RegistrationOptions
            {
                Registrar = r,
                AddressOfRecord = AddressOfRecord(r),
                AuthUser = o.AuthUser,
                Password = o.Password,
                Expires = o.RegisterExpiresSeconds is { } e ? TimeSpan.FromSeconds(e) : new RegistrationOptions { Registrar = r }.Expires,
            }),
        };

        await using var endpoint = new Endpoint(endpointOptions, new CallMediaFactory(mediaOptions), loggerFactory);
        using var exitCts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (o.ExitAfterSeconds is { } exitAfter) exitCts.CancelAfter(TimeSpan.FromSeconds(exitAfter));

        // Every call, incoming or outgoing, is reported from its creation on.
        endpoint.RegistrationChanged += (_, r) => events.Write("registration", string.Empty, ("registrar", r.Registrar.ToString()), ("aor", r.AddressOfRecord.ToString()), ("state", r.State.ToString().ToLowerInvariant()), ("server", r.CurrentServer?.ToString()), ("error", r.LastError));
        endpoint.IncomingCall += (_, call) => CallEvents.Attach(call, events, o.HangupAfterSeconds, exitCts.Token);
        endpoint.OutgoingCall += (_, call) => CallEvents.Attach(call, events, o.HangupAfterSeconds, exitCts.Token);
        try
        {
            await endpoint.StartAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Pipeline.Cli: cannot listen on {o.Bind}{(o.TlsBind is null ? "" : " / " + o.TlsBind)}: {ex.Message}");
            return 1;
        }

        Console.Error.WriteLine($"phone: listening on sip:{o.User}@{endpoint.LocalEndPoint} (UDP, TCP)" +
            (endpoint.TlsLocalEndPoint is { } tls ? $" and sips:{o.User}@{tls} (TLS)" : "") + $"; sending over {o.Transport.ToUpperInvariant()}");
        int exitCode = 0;
        if (o.CallUri is not null)
        {
            try
            {
                var call = await endpoint.CallAsync(o.CallUri, exitCts.Token).ConfigureAwait(false);
                _ = call;
            }
            catch (CallFailedException ex)
            {
                Console.Error.WriteLine($"phone: call to {o.CallUri} failed: {ex.StatusCode} {ex.ReasonPhrase}");
                exitCode = 1;
            }
            catch (OperationCanceledException) when (exitCts.IsCancellationRequested)
            {
            }
        }

        try
        {
            await Task.Delay(Timeout.Infinite, exitCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await endpoint.StopAsync().ConfigureAwait(false);
        try
        {
            await CallEvents.DrainAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine("phone: some calls did not finish closing their media in time");
        }

        return exitCode;
    }

    /// <summary>
    /// <c>--register sip:alice@pbx.test</c>: the user part names the address of record (alice@pbx.test) and the host
    /// is what is resolved (RFC 3263) and sent REGISTERs; without a user part the AOR is --user at the host.
    /// </summary>
    private static string? AddressOfRecord(string registrar) =>
        Pipeline.Sip.Messages.SipUri.TryParse(registrar, out var uri, out _) && uri!.User is { Length: > 0 } user
            ? Pipeline.Sip.Messages.SipUri.Create(user, uri.Host, null, uri.Scheme).ToString()
            : null;
}
