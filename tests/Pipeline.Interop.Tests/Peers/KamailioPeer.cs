using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// kamailio 5.6 as a loopback registrar and record-routing proxy with digest auth and no database,
/// started in the foreground (<c>kamailio -DD -E -f CFG</c>) with a config generated in a scratch
/// folder (see README "kamailio"). Registrations live in memory (usrloc db_mode=0) and are lost on
/// <see cref="StopAsync"/>/<see cref="RestartAsync"/>, like a real site that went down.
/// </summary>
/// <remarks>
/// Behaviour of the generated script: REGISTER must authenticate (401, realm <see cref="KamailioOptions.Realm"/>,
/// password from an htable filled from <see cref="KamailioOptions.Users"/>, auth user = To user) and is
/// saved in memory; OPTIONS to the proxy itself get 200 (the readiness probe); initial INVITEs are
/// record-routed; a request-URI that is this proxy is looked up in the location table (404 when the
/// AOR has no contact), any other request-URI is relayed as is (only for a registered caller unless
/// <see cref="KamailioOptions.RelayOnlyForRegisteredCallers"/> is false); in-dialog requests follow
/// loose routing. Every request and registration change is logged as a "kamailio-peer:" line.
/// </remarks>
internal sealed class KamailioPeer : IAsyncDisposable
{
    private const string ModulePath = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";
    private readonly List<PeerProcess> _previous = [];

    private KamailioPeer(KamailioOptions options, string dir, int port, PeerProcess process)
    {
        Options = options;
        ConfigDirectory = dir;
        Port = port;
        Process = process;
    }

    /// <summary>The options it runs with.</summary>
    public KamailioOptions Options { get; }

    /// <summary>Scratch folder: kamailio.cfg, pid file, runtime dir.</summary>
    public string ConfigDirectory { get; }

    /// <summary>The generated config file.</summary>
    public string ConfigFile => Path.Combine(ConfigDirectory, "kamailio.cfg");

    /// <summary>SIP port on 127.0.0.1 (UDP, and TCP when enabled); the same across restarts.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:PORT", e.g. for SIPp's remote or an outbound proxy.</summary>
    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>127.0.0.1:PORT as an endpoint (e.g. to compare with a resolved target).</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>"sip:127.0.0.1:PORT": the registrar / proxy URI.</summary>
    public string Uri => $"sip:127.0.0.1:{Port}";

    /// <summary>The current kamailio process (a new one after <see cref="RestartAsync"/>).</summary>
    public PeerProcess Process { get; private set; }

    /// <summary>True while the current process runs.</summary>
    public bool IsRunning => !Process.HasExited;

    /// <summary>Address of record of <paramref name="user"/> at this registrar: sip:USER@127.0.0.1:PORT.</summary>
    public string AddressOfRecord(string user) => $"sip:{user}@127.0.0.1:{Port}";

    /// <summary>
    /// Writes the config and starts kamailio; returns when it answers an OPTIONS ping. A port taken in
    /// the meantime (when <see cref="KamailioOptions.Port"/> is null) is re-picked up to 3 times.
    /// </summary>
    public static async Task<KamailioPeer> StartAsync(KamailioOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KamailioOptions();
        var exe = Tools.Require("kamailio");
        Validate(options);
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? FreePorts.UdpAndTcp();
            var dir = PeerDirectory.Create("kamailio");
            await File.WriteAllTextAsync(Path.Combine(dir, "kamailio.cfg"), BuildConfig(options, port), cancellationToken).ConfigureAwait(false);
            var process = Launch(exe, options, dir);
            var peer = new KamailioPeer(options, dir, port, process);
            try
            {
                await peer.WaitUntilReadyAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
                return peer;
            }
            catch (PeerException) when (attempt < 3 && options.Port is null && IsBindFailure(process))
            {
                await peer.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await peer.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Stops kamailio (SIGTERM, then kill after <paramref name="timeout"/>, default 5 s), e.g. to take the
    /// primary site down mid-test. Its output stays available through <see cref="Describe"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (Process.HasExited)
        {
            return;
        }

        Process.Terminate();
        try
        {
            await Process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (PeerException)
        {
            await Process.DisposeAsync().ConfigureAwait(false); // kills the process tree
        }
    }

    /// <summary>
    /// Starts kamailio again with the same config on the same port (stopping it first if it runs).
    /// Registrations are gone: clients must register again. Retries for a few seconds while the port
    /// is still held (e.g. by a TCP connection in TIME_WAIT).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var exe = Tools.Require("kamailio");
        for (var attempt = 1; ; attempt++)
        {
            _previous.Add(Process);
            Process = Launch(exe, Options, ConfigDirectory);
            try
            {
                await WaitUntilReadyAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PeerException) when (attempt < 10 && IsBindFailure(Process))
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends an OPTIONS to the proxy over UDP; true when a 200 comes back within <paramref name="timeout"/>.</summary>
    public Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => SipOptionsProbe.PingAsync(EndPoint, timeout, cancellationToken);

    /// <summary>
    /// Waits for the log line written after a REGISTER for <paramref name="user"/> was saved and the AOR
    /// then has <paramref name="contacts"/> contacts (1 after a registration, 0 after an unregistration).
    /// Only the current process's output is searched.
    /// </summary>
    public Task<string> WaitForContactsAsync(string user, int contacts, TimeSpan timeout, CancellationToken cancellationToken = default)
        => Process.WaitForLineAsync($"kamailio-peer: registered aor={user} contacts={contacts.ToString(CultureInfo.InvariantCulture)} ", timeout, cancellationToken);

    /// <summary>Command line, state and output of every run of this peer (old runs first), for assertion messages.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var p in _previous)
        {
            sb.Append("--- (earlier run)\n").Append(p.Describe());
        }

        return sb.Append(Process.Describe()).ToString();
    }

    /// <summary>Kills kamailio if it runs and removes the scratch folder (unless PIPELINE_KEEP_PEER_FILES=1).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _previous)
        {
            await p.DisposeAsync().ConfigureAwait(false);
        }

        if (!Process.HasExited)
        {
            Process.Terminate();
            try
            {
                await Process.WaitForExitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
            catch (PeerException)
            {
                // killed below
            }
        }

        await Process.DisposeAsync().ConfigureAwait(false);
        PeerDirectory.Remove(ConfigDirectory);
    }

    /// <summary>The kamailio script for <paramref name="o"/> listening on <paramref name="port"/> (exposed for tests and post-mortems).</summary>
    public static string BuildConfig(KamailioOptions o, int port)
    {
        var p = port.ToString(CultureInfo.InvariantCulture);
        var realm = o.Realm;
        var flags = o.Qop ? "1" : "0"; // challenge flags: 1 = qop=auth (for *_authenticate, flag 1 would mean "password is HA1")
        var sb = new StringBuilder();
        void L(string line) => sb.Append(line).Append('\n');
        L("#!KAMAILIO");
        L("# generated by Pipeline.Interop.Tests KamailioPeer");
        L($"debug={o.DebugLevel.ToString(CultureInfo.InvariantCulture)}");
        L("log_stderror=yes");
        L("log_prefix=\"\"");
        L("memdbg=5");
        L("memlog=5");
        L($"children={o.Children.ToString(CultureInfo.InvariantCulture)}");
        L($"tcp_children={o.Children.ToString(CultureInfo.InvariantCulture)}");
        L("auto_aliases=no");
        L("dns=no");
        L("rev_dns=no");
        L("use_dns_cache=no");
        L("dns_try_ipv6=no");
        L($"listen=udp:127.0.0.1:{p}");
        if (o.Tcp)
        {
            L($"listen=tcp:127.0.0.1:{p}");
        }
        else
        {
            L("disable_tcp=yes");
        }

        L($"alias=\"127.0.0.1:{p}\"");
        foreach (var alias in o.Aliases)
        {
            L($"alias=\"{alias}\"");
        }

        L($"mpath=\"{ModulePath}\"");
        foreach (var m in new[] { "tm", "sl", "rr", "pv", "maxfwd", "textops", "siputils", "xlog", "usrloc", "registrar", "auth", "htable", "kex" })
        {
            L($"loadmodule \"{m}.so\"");
        }

        L("modparam(\"usrloc\", \"db_mode\", 0)");
        L("modparam(\"usrloc\", \"timer_interval\", 5)");
        L($"modparam(\"registrar\", \"min_expires\", {o.MinExpires.ToString(CultureInfo.InvariantCulture)})");
        L($"modparam(\"registrar\", \"max_expires\", {o.MaxExpires.ToString(CultureInfo.InvariantCulture)})");
        L("modparam(\"rr\", \"enable_full_lr\", 1)");
        L("modparam(\"htable\", \"htable\", \"users=>size=4;\")");
        L(string.Empty);
        L("event_route[htable:mod-init] {");
        foreach (var (user, password) in o.Users)
        {
            L($"    $sht(users=>{user}) = \"{Escape(password)}\";");
        }

        L("}");
        L(string.Empty);
        L("request_route {");
        L("    xlog(\"L_NOTICE\", \"kamailio-peer: $rm $ru from $si:$sp/$pr call-id $ci\\n\");");
        foreach (var extra in o.ExtraRouteLines)
        {
            L("    " + extra);
        }

        L("    if (!mf_process_maxfwd_header(\"10\")) { sl_send_reply(\"483\", \"Too Many Hops\"); exit; }");
        L("    if (has_totag()) {");
        L("        if (loose_route()) { route(RELAY); exit; }");
        L("        if (is_method(\"ACK\")) { if (t_check_trans()) { route(RELAY); } exit; }");
        L("        sl_send_reply(\"404\", \"Not here\"); exit;");
        L("    }");
        L("    if (is_method(\"CANCEL\")) { if (t_check_trans()) { route(RELAY); } exit; }");
        L("    if (is_method(\"OPTIONS\") && uri==myself && $rU==$null) { sl_send_reply(\"200\", \"Keepalive\"); exit; }");
        L("    t_check_trans();");
        L("    if (is_method(\"REGISTER\")) { route(REGISTRAR); exit; }");
        L("    remove_hf(\"Route\");"); // preloaded routes (an outbound proxy set to us) are not followed
        if (o.RequireInviteAuth)
        {
            L("    if (is_method(\"INVITE\")) {");
            L($"        if (!pv_proxy_authenticate(\"{realm}\", \"$sht(users=>$au)\", \"0\")) {{ proxy_challenge(\"{realm}\", \"{flags}\"); exit; }}");
            L("        if ($au != $fU) { sl_send_reply(\"403\", \"Auth user is not the From user\"); exit; }");
            L("        consume_credentials();");
            L("    }");
        }

        L("    if (is_method(\"INVITE|SUBSCRIBE|REFER\")) { record_route(); }");
        L("    if (uri==myself) {");
        L("        if (!lookup(\"location\")) { xlog(\"L_NOTICE\", \"kamailio-peer: no contact for $rU -> 404\\n\"); sl_send_reply(\"404\", \"Not Found\"); exit; }");
        L("        xlog(\"L_NOTICE\", \"kamailio-peer: $rm for $tU routed to $ru\\n\");");
        L("        route(RELAY); exit;");
        L("    }");
        if (o.RelayOnlyForRegisteredCallers)
        {
            L("    if (!registered(\"location\", \"$fu\")) { sl_send_reply(\"403\", \"Relaying forbidden\"); exit; }");
        }

        L("    route(RELAY);");
        L("}");
        L(string.Empty);
        L("route[REGISTRAR] {");
        L($"    if (!pv_www_authenticate(\"{realm}\", \"$sht(users=>$au)\", \"0\")) {{ www_challenge(\"{realm}\", \"{flags}\"); exit; }}");
        L("    if ($au != $tU) { sl_send_reply(\"403\", \"Auth user does not match the AOR\"); exit; }");
        L("    consume_credentials();");
        L("    if (!save(\"location\")) { sl_reply_error(); exit; }");
        L("    if (reg_fetch_contacts(\"location\", \"$tu\", \"r\")) { $var(n) = $ulc(r=>count); } else { $var(n) = 0; }");
        L("    reg_free_contacts(\"r\");");
        L("    xlog(\"L_NOTICE\", \"kamailio-peer: registered aor=$tU contacts=$var(n) contact=$ct expires=$hdr(Expires)\\n\");");
        L("}");
        L(string.Empty);
        L("route[RELAY] {");
        L("    if (!t_relay()) { sl_reply_error(); }");
        L("}");
        return sb.ToString();
    }

    private static void Validate(KamailioOptions o)
    {
        foreach (var (user, password) in o.Users)
        {
            if (user.Length == 0 || !user.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '~'))
            {
                throw new ArgumentException($"kamailio user name '{user}' must be letters, digits, '.', '_', '-', '+' or '~'");
            }

            if (password.Any(c => c is '\n' or '\r' or '$'))
            {
                throw new ArgumentException($"kamailio password of '{user}' must not contain newlines or '$'");
            }
        }

        if (o.Realm.Length == 0 || o.Realm.Any(c => c is '"' or '\\' or '$' or '\n' or '\r'))
        {
            throw new ArgumentException($"kamailio realm '{o.Realm}' must be non-empty without quotes, backslashes or '$'");
        }
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static PeerProcess Launch(string exe, KamailioOptions o, string dir)
    {
        var process = PeerProcess.Start(
            o.Name,
            exe,
            [
                "-DD", "-E",
                "-f", Path.Combine(dir, "kamailio.cfg"),
                "-P", Path.Combine(dir, "kamailio.pid"),
                "-Y", dir,
                "-w", dir,
                "-m", "32",
                "-M", "4",
            ],
            workingDirectory: dir);
        process.AttachDiagnosticFile(Path.Combine(dir, "kamailio.cfg"));
        return process;
    }

    private static bool IsBindFailure(PeerProcess p)
        => p.Output.Contains("Address already in use", StringComparison.OrdinalIgnoreCase) || p.Output.Contains("bind", StringComparison.OrdinalIgnoreCase);

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                await Process.WaitForExitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                throw new PeerException($"{Options.Name} exited during start-up.\n{Process.Describe()}");
            }

            if (await PingAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw new PeerException($"{Options.Name} did not answer OPTIONS on {HostPort} within {timeout.TotalSeconds:0} s.\n{Process.Describe()}");
    }
}
