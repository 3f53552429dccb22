using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Rtp;

/// <summary>Checks with Wireshark's dissectors that what two sessions put on the wire is valid RTP and RTCP.</summary>
public class RtpWireFormatTests
{
    [RequiresToolFact("tshark")]
    public async Task Tshark_decodes_our_rtp_and_rtcp_without_malformed_packets()
    {
        var tshark = ExternalTool.Find("tshark") ?? throw new InvalidOperationException("tshark is not installed but CI=true: install it (apt-get install tshark).");
        await using var a = new RtpPeer("a", rtcpInterval: TimeSpan.FromMilliseconds(100));
        await using var b = new RtpPeer("b", rtcpInterval: TimeSpan.FromMilliseconds(100));
        int pa = a.Session.LocalRtpEndPoint.Port;
        int pb = b.Session.LocalRtpEndPoint.Port;
        var file = Path.Combine(Path.GetTempPath(), $"pipeline-rtp-{Guid.NewGuid():N}.pcapng");
        try
        {
            // A probe port in the filter tells us when the capture really runs ("Capturing on" comes earlier).
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int px = ((IPEndPoint)probe.LocalEndPoint!).Port;
            string filter = $"udp and (port {pa} or port {pa + 1} or port {pb} or port {pb + 1} or port {px})";
            using var capture = Process.Start(new ProcessStartInfo(tshark)
            {
                ArgumentList = { "-i", "lo", "-f", filter, "-w", file, "-P" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var started = new TaskCompletionSource();
            var captureLog = new StringBuilder();
            capture.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (captureLog) captureLog.AppendLine(e.Data);
            };
            capture.OutputDataReceived += (_, e) =>
            {
                if (!string.IsNullOrWhiteSpace(e.Data)) started.TrySetResult();
            };
            capture.BeginErrorReadLine();
            capture.BeginOutputReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!started.Task.IsCompleted && DateTime.UtcNow < deadline && !capture.HasExited)
            {
                probe.SendTo("probe"u8, probe.LocalEndPoint!);
                await Task.WhenAny(started.Task, Task.Delay(100));
            }

            Assert.True(started.Task.IsCompleted, $"tshark did not start capturing: {captureLog}");

            a.Session.SetRemote(b.Session.LocalRtpEndPoint);
            b.Session.SetRemote(a.Session.LocalRtpEndPoint);
            a.Start();
            b.Start();
            a.SendFrames(50);
            b.SendFrames(20);
            Assert.Equal(50, (await b.Frames.WaitForAsync(50)).Count);
            Assert.Equal(20, (await a.Frames.WaitForAsync(20)).Count);
            Assert.True(await Wait.UntilAsync(
                () => a.Session.Statistics.RtcpPacketsReceived >= 2 && b.Session.Statistics.RtcpPacketsReceived >= 2,
                TimeSpan.FromSeconds(5),
                () =>
                {
                    a.Clock.Advance();
                    b.Clock.Advance();
                }));
            await a.Graph.StopAsync(TimeSpan.Zero); // BYE
            Assert.True(await Wait.UntilAsync(() => b.Session.Statistics.RemoteBye));
            await Task.Delay(300);
            using (var kill = Process.Start("kill", ["-INT", capture.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await capture.WaitForExitAsync(cts.Token);
            }

            string[] decodeAs =
            [
                "-d", $"udp.port=={pa},rtp", "-d", $"udp.port=={pa + 1},rtcp",
                "-d", $"udp.port=={pb},rtp", "-d", $"udp.port=={pb + 1},rtcp",
            ];
            var fields = await RunAsync(tshark, ["-r", file, .. decodeAs, "-T", "fields", "-E", "separator=;", "-e", "udp.dstport", "-e", "rtp.ssrc", "-e", "rtp.seq", "-e", "rtcp.pt"]);
            var malformed = await RunAsync(tshark, ["-r", file, .. decodeAs, "-Y", "_ws.malformed || _ws.expert.severity == error"]);
            Assert.True(string.IsNullOrWhiteSpace(malformed), "tshark reports malformed packets:\n" + malformed);

            var rows = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(';')).ToList();
            var rtpToB = rows.Where(r => r[0] == pb.ToString(CultureInfo.InvariantCulture) && r[1].Length > 0).ToList();
            var rtpToA = rows.Where(r => r[0] == pa.ToString(CultureInfo.InvariantCulture) && r[1].Length > 0).ToList();
            Assert.True(rtpToB.Count == 50, $"RTP packets to B: {rtpToB.Count}; tshark said:\n{(fields.Length > 3000 ? fields[..3000] : fields)}\ncapture log: {captureLog}");
            Assert.Equal(20, rtpToA.Count);
            Assert.All(rtpToB, r => Assert.Equal(a.Session.LocalSsrc, Convert.ToUInt32(r[1], 16)));
            var seqs = rtpToB.Select(r => int.Parse(r[2], CultureInfo.InvariantCulture)).ToList();
            for (int i = 1; i < seqs.Count; i++) Assert.Equal((seqs[0] + i) & 0xFFFF, seqs[i]);

            var rtcpTypes = rows.Where(r => r[3].Length > 0).Select(r => r[3]).ToList();
            Assert.Contains(rtcpTypes, t => t.StartsWith("200,202", StringComparison.Ordinal)); // SR + SDES
            Assert.Contains(rtcpTypes, t => t.EndsWith(",203", StringComparison.Ordinal));     // ... + BYE
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> RunAsync(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, $"tshark {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }
}
