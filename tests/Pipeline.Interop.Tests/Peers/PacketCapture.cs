using System.Globalization;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// A packet capture (dumpcap, read back with tshark) on the loopback interface, to see what really went over the wire between two
/// peers without getting in their way (e.g. the RTP our CLI sends to baresip). Start it before the
/// call with a BPF filter naming the ports, <see cref="StopAsync"/> after, then query the pcap
/// with display filters and fields (<see cref="ReadFieldsAsync"/>, <see cref="SipSummaryAsync"/>,
/// <see cref="RtpPacketsAsync"/>). RTP is decoded heuristically (any UDP port). Needs root or
/// capture rights (CI runs as root).
/// </summary>
internal sealed class PacketCapture : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string _tshark;
    private readonly string _dir;

    private PacketCapture(PeerProcess process, string tshark, string dir)
    {
        _process = process;
        _tshark = tshark;
        _dir = dir;
        PcapPath = Path.Combine(dir, "capture.pcapng");
    }

    /// <summary>The capture file (complete after <see cref="StopAsync"/>).</summary>
    public string PcapPath { get; }

    /// <summary>
    /// Starts capturing on "lo" with a BPF <paramref name="captureFilter"/> (e.g. "udp port 5070 or udp portrange 20000-20003")
    /// and returns once tshark reports it is capturing.
    /// </summary>
    public static async Task<PacketCapture> StartAsync(string captureFilter, CancellationToken cancellationToken = default)
    {
        var tshark = Tools.Require("tshark");
        var dumpcap = Tools.Require("dumpcap");
        var dir = PeerDirectory.Create("pcap");
        var pcap = Path.Combine(dir, "capture.pcapng");
        var probePort = FreePorts.Udp();
        var filter = $"({captureFilter}) or udp dst port {probePort.ToString(CultureInfo.InvariantCulture)}";
        var process = PeerProcess.Start("dumpcap", dumpcap, ["-i", "lo", "-f", filter, "-w", pcap, "-q"], workingDirectory: dir);
        var capture = new PacketCapture(process, tshark, dir);
        try
        {
            await process.WaitForLineAsync("Capturing on", TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            await WaitUntilLiveAsync(process, pcap, probePort, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await capture.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return capture;
    }

    // "Capturing on" may come before packets are really captured (seen under load: the first second
    // of a call missing). Send probe datagrams (not RTP-like: first byte 'p') to a port in the filter
    // until the capture file grows, which proves packets are being written.
    private static async Task WaitUntilLiveAsync(PeerProcess process, string pcap, int probePort, CancellationToken cancellationToken)
    {
        using var probe = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        var target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, probePort);
        var payload = "probe"u8.ToArray();
        long initial = -1;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            await probe.SendAsync(payload, target, cancellationToken).ConfigureAwait(false);
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            var size = File.Exists(pcap) ? new FileInfo(pcap).Length : -1;
            if (initial <= 0)
            {
                initial = size; // the file header, once written
            }
            else if (size > initial)
            {
                return;
            }
        }

        throw new PeerException($"dumpcap capture did not become live within 10 s.\n{process.Describe()}");
    }

    /// <summary>Builds a BPF filter matching UDP traffic to or from any of <paramref name="ports"/>.</summary>
    public static string UdpPorts(params int[] ports) => string.Join(" or ", ports.Select(p => "udp port " + p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Stops dumpcap (SIGINT, which flushes) so the pcap is complete. Safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await Task.Delay(300).ConfigureAwait(false); // let the last packets reach the capture buffer
        _process.Signal(2); // SIGINT: dumpcap flushes and exits
        try
        {
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (PeerException)
        {
            _process.Terminate();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the capture: one string array per packet matching <paramref name="displayFilter"/> with the
    /// values of <paramref name="fields"/> (tshark -T fields), e.g. ReadFieldsAsync("rtp", "udp.srcport", "rtp.p_type").
    /// </summary>
    public async Task<IReadOnlyList<string[]>> ReadFieldsAsync(string displayFilter, params string[] fields)
    {
        await StopAsync().ConfigureAwait(false);
        var args = new List<string> { "-r", PcapPath, "-o", "rtp.heuristic_rtp:TRUE", "-Y", displayFilter, "-T", "fields", "-E", "separator=\t" };
        foreach (var f in fields)
        {
            args.Add("-e");
            args.Add(f);
        }

        await using var reader = PeerProcess.Start("tshark -r", _tshark, args);
        var exit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new PeerException($"tshark could not read {PcapPath} (exit {exit}).\n{reader.Describe()}");
        }

        var rows = new List<string[]>();
        foreach (var line in reader.Lines)
        {
            if (line.Length == 0 || line.StartsWith("Running as user", StringComparison.Ordinal))
            {
                continue;
            }

            rows.Add(line.Split('\t'));
        }

        return rows;
    }

    /// <summary>SIP messages in order as "SRCPORT->DSTPORT FIRST-LINE" (e.g. "5070->20001 SIP/2.0 200 OK").</summary>
    public async Task<IReadOnlyList<string>> SipSummaryAsync()
    {
        var rows = await ReadFieldsAsync("sip", "udp.srcport", "udp.dstport", "sip.Request-Line", "sip.Status-Line").ConfigureAwait(false);
        return rows.Select(r => $"{Get(r, 0)}->{Get(r, 1)} {(Get(r, 2).Length > 0 ? Get(r, 2) : Get(r, 3))}").ToList();
    }

    /// <summary>RTP packets in capture order (source/destination ports, PT, seq, timestamp, SSRC, marker, payload length).</summary>
    public async Task<IReadOnlyList<CapturedRtp>> RtpPacketsAsync()
    {
        var rows = await ReadFieldsAsync("rtp", "frame.time_relative", "udp.srcport", "udp.dstport", "rtp.p_type", "rtp.seq", "rtp.timestamp", "rtp.ssrc", "rtp.marker", "udp.length").ConfigureAwait(false);
        var list = new List<CapturedRtp>(rows.Count);
        foreach (var r in rows)
        {
            if (r.Length < 9 || r[3].Length == 0)
            {
                continue;
            }

            list.Add(new CapturedRtp(
                TimeSpan.FromSeconds(double.Parse(r[0], CultureInfo.InvariantCulture)),
                int.Parse(r[1], CultureInfo.InvariantCulture),
                int.Parse(r[2], CultureInfo.InvariantCulture),
                int.Parse(r[3], CultureInfo.InvariantCulture),
                ushort.Parse(r[4], CultureInfo.InvariantCulture),
                uint.Parse(r[5], CultureInfo.InvariantCulture),
                Convert.ToUInt32(r[6], 16),
                r[7] is "1" or "True",
                int.Parse(r[8], CultureInfo.InvariantCulture) - 8 - 12));
        }

        return list;
    }

    /// <summary>Stops dumpcap and removes the capture folder unless PIPELINE_KEEP_PEER_FILES=1.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (PeerException)
        {
        }

        await _process.DisposeAsync().ConfigureAwait(false);
        PeerDirectory.Remove(_dir);
    }

    private static string Get(string[] r, int i) => i < r.Length ? r[i] : string.Empty;
}
