using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

/// <summary>
/// A stateless kamailio on a loopback UDP port that demands digest auth (password "zanzibar" for any user) and
/// answers 200 once authenticated: REGISTER is challenged with 401, everything else with 407. Plus a raw UDP
/// client to talk to it, so only the Auth code is under test.
/// </summary>
internal sealed class KamailioDigestServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private int _cseq;

    private KamailioDigestServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Uri => $"sip:127.0.0.1:{Port}";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? FindBinary() => ExternalTool.Find("kamailio");

    public static async Task<KamailioDigestServer> StartAsync(DigestAlgorithm algorithm)
    {
        string binary = FindBinary() ?? throw new InvalidOperationException($"kamailio is required but was not found (CI={Environment.GetEnvironmentVariable("CI")}).");
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        string dir = Directory.CreateTempSubdirectory("pipeline-auth-kamailio-").FullName;
        string algorithmToken = algorithm == DigestAlgorithm.Sha256 ? "SHA-256" : "MD5";
        string config = $$"""
            #!KAMAILIO
            debug=2
            log_stderror=yes
            children=1
            listen=udp:127.0.0.1:{{port}}
            loadmodule "sl.so"
            loadmodule "pv.so"
            loadmodule "auth.so"
            modparam("auth", "algorithm", "{{algorithmToken}}")
            modparam("auth", "nonce_count", 1)
            modparam("auth", "qop", "auth")
            request_route {
              if (!pv_auth_check("$fd", "zanzibar", "0", "0")) {
                auth_challenge("$fd", "1");
                exit;
              }
              sl_send_reply("200", "OK");
            }
            """;
        string configPath = Path.Combine(dir, "kamailio.cfg");
        await File.WriteAllTextAsync(configPath, config);
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[] { "-DD", "-E", "-f", configPath, "-Y", dir })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new KamailioDigestServer(process, dir, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"kamailio exited with {process.ExitCode}:\n{log}");
            }

            try
            {
                await server.SendAsync("OPTIONS", null, TimeSpan.FromMilliseconds(300));
                return server;
            }
            catch (OperationCanceledException) when (DateTime.UtcNow < deadline)
            {
                // not listening yet
            }
        }
    }

    /// <summary>Sends one request (with Authorization for REGISTER, Proxy-Authorization otherwise) and returns the response.</summary>
    public Task<SipReply> SendAsync(string method, DigestAuthorization? authorization) => SendAsync(method, authorization, TimeSpan.FromSeconds(3));

    private async Task<SipReply> SendAsync(string method, DigestAuthorization? authorization, TimeSpan timeout)
    {
        int local = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        int cseq = Interlocked.Increment(ref _cseq);
        string header = method == "REGISTER" ? "Authorization" : "Proxy-Authorization";
        string request =
            $"{method} {Uri} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{Guid.NewGuid():N}\r\n" +
            "Max-Forwards: 70\r\n" +
            "From: <sip:bob@127.0.0.1>;tag=auth1\r\n" +
            "To: <sip:bob@127.0.0.1>\r\n" +
            $"Call-ID: auth-{Port}@127.0.0.1\r\n" +
            $"CSeq: {cseq} {method}\r\n" +
            $"Contact: <sip:bob@127.0.0.1:{local}>\r\n" +
            (authorization is null ? "" : $"{header}: {authorization.HeaderValue}\r\n") +
            "Content-Length: 0\r\n\r\n";
        await _udp.SendAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, Port));
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            UdpReceiveResult received = await _udp.ReceiveAsync(cts.Token);
            var reply = SipReply.Parse(Encoding.ASCII.GetString(received.Buffer));
            if (reply.CSeq == cseq)
            {
                return reply;
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        _udp.Dispose();
        try
        {
            // SIGTERM first: kamailio then stops and reaps its own children; SIGKILL the tree only if it hangs.
            if (!_process.HasExited && Kill(_process.Id, 15) == 0)
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(3));
            }
        }
        catch (TimeoutException)
        {
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The parts of a SIP response these tests look at.</summary>
internal sealed record SipReply(int Status, int CSeq, IReadOnlyList<string> WwwAuthenticate, IReadOnlyList<string> ProxyAuthenticate)
{
    public static SipReply Parse(string text)
    {
        string[] lines = text.Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        int cseq = 0;
        var www = new List<string>();
        var proxy = new List<string>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("CSeq", StringComparison.OrdinalIgnoreCase))
            {
                cseq = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase))
            {
                www.Add(value);
            }
            else if (name.Equals("Proxy-Authenticate", StringComparison.OrdinalIgnoreCase))
            {
                proxy.Add(value);
            }
        }

        return new SipReply(status, cseq, www, proxy);
    }
}
