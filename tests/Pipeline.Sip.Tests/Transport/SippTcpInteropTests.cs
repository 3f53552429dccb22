using System.Diagnostics;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Tests.TestSupport;
using Xunit.Abstractions;

namespace Pipeline.Sip.Tests.Transport;

/// <summary>SIPp's built-in UAC over TCP (<c>-t t1</c>: one connection) calling an auto-answering endpoint.</summary>
public sealed class SippTcpInteropTests(ITestOutputHelper output)
{
    [RequiresToolFact("sipp")]
    public async Task Sipp_uac_over_tcp_completes_against_auto_answering_endpoint()
    {
        var sipp = ExternalTool.Find("sipp") ?? throw new InvalidOperationException("sipp is required (CI=true): install it with ./test.sh (Debian package sip-tester).");

        var factory = new FakeMediaFactory();
        await using var ep = new Endpoint(EndpointPair.Options("service", autoAnswer: true), factory);
        await ep.StartAsync();
        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        ep.IncomingCall += (_, c) => c.Ended += (_, r) => ended.TrySetResult(r);
        var udpSent = 0;
        ep.Transport!.Sent = (_, _) => Interlocked.Increment(ref udpSent);
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<object, bool>();
        ep.Transports!.Tcp.Sent = (_, c) => connections.TryAdd(c, c.IsOutgoing);

        var workDir = Directory.CreateTempSubdirectory("sipp-tcp-");
        try
        {
            var psi = new ProcessStartInfo(sipp)
            {
                WorkingDirectory = workDir.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[] { "-sn", "uac", $"127.0.0.1:{ep.LocalEndPoint.Port}", "-t", "t1", "-i", "127.0.0.1", "-p", "0", "-m", "2", "-l", "1", "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err" })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await p.WaitForExitAsync(cts.Token);
            output.WriteLine(await stderr);
            foreach (var f in workDir.GetFiles("*errors.log"))
            {
                output.WriteLine(await File.ReadAllTextAsync(f.FullName));
            }

            var text = await stdout;
            Assert.True(p.ExitCode == 0, $"sipp exited with {p.ExitCode}: {text[^Math.Min(2000, text.Length)..]}");
            Assert.Equal(CallEndKind.RemoteHangup, (await ended.Task.WaitAsync(TimeSpan.FromSeconds(5))).Kind);
            Assert.Equal(2, factory.Sessions.Count);
            Assert.Equal(0, Volatile.Read(ref udpSent)); // everything went over the TCP connection
            var only = Assert.Single(connections); // both calls' answers on SIPp's one connection
            Assert.False(only.Value);
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }
}
