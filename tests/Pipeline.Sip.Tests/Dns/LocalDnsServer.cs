using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Sip.Tests.Resolution;

/// <summary>
/// A real DNS server for the resolver tests: dnsmasq in the foreground on 127.0.0.1:PORT serving only
/// the given config lines (naptr-record=, srv-host=, host-record=…), no upstream, no /etc/hosts.
/// (A small copy of Pipeline.Interop.Tests' DnsmasqPeer, which this project cannot see.)
/// dnsmasq missing: the test fails when CI=true, else it is skipped (SkippableFact).
/// </summary>
internal sealed class LocalDnsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalDnsServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>UDP/TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>127.0.0.1:PORT.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>dnsmasq's log so far (every query: log-queries).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts dnsmasq with <paramref name="records"/> (dnsmasq.conf lines) for domain example.test; TTL of local records <paramref name="ttl"/>.</summary>
    public static async Task<LocalDnsServer> StartAsync(IEnumerable<string> records, int ttl = 60)
    {
        var exe = FindDnsmasq();
        var lines = records.ToList();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeUdpAndTcpPort();
            var dir = Path.Combine(Path.GetTempPath(), "pipeline-sip-dns", Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(dir);
            var conf = Path.Combine(dir, "dnsmasq.conf");
            var text = new StringBuilder()
                .Append("port=").Append(port).Append('\n')
                .Append("listen-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nno-poll\nlog-queries\nlog-facility=-\n")
                .Append("pid-file=").Append(Path.Combine(dir, "dnsmasq.pid")).Append('\n')
                .Append("local-ttl=").Append(ttl).Append('\n')
                .Append("local=/example.test/\n");
            foreach (var l in lines)
            {
                text.Append(l).Append('\n');
            }

            await File.WriteAllTextAsync(conf, text.ToString());
            var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("--no-daemon");
            psi.ArgumentList.Add("--conf-file=" + conf);
            var process = new Process { StartInfo = psi };
            var server = new LocalDnsServer(process, dir, port);
            process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var done = await Task.WhenAny(server._started.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(10)));
            if (done == server._started.Task)
            {
                return server;
            }

            var output = server.Output;
            await server.DisposeAsync();
            if (attempt >= 3 || !output.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"dnsmasq did not start:\n{output}\n--- config:\n{text}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
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

    private static string FindDnsmasq()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, "dnsmasq");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        const string message = "tool dnsmasq missing; install with ./test.sh (Debian package 'dnsmasq-base')";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(message + " — CI=true, so this is a failure, not a skip");
        }

        throw new SkipException(message);
    }

    private static int FreeUdpAndTcpPort()
    {
        for (var i = 0; i < 100; i++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no port free for UDP and TCP on 127.0.0.1");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
        }

        if (line.Contains("started, version", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
