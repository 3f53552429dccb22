using System.Diagnostics;
using System.Net;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Tests.TestSupport;
using Xunit.Abstractions;

namespace Pipeline.Sip.Tests.Calls;

public sealed class SippInteropTests(ITestOutputHelper output)
{
    [RequiresToolFact("sipp")]
    public async Task Sipp_uac_scenario_completes_against_auto_answering_endpoint()
    {
        var sipp = ExternalTool.Find("sipp") ?? throw new InvalidOperationException("sipp is required (CI=true): install it with ./test.sh (Debian package sip-tester).");

        var factory = new FakeMediaFactory();
        await using var ep = new Endpoint(EndpointPair.Options("service", autoAnswer: true), factory);
        await ep.StartAsync();
        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        ep.IncomingCall += (_, c) => c.Ended += (_, r) => ended.TrySetResult(r);

        var workDir = Directory.CreateTempSubdirectory("sipp-");
        try
        {
            var psi = new ProcessStartInfo(sipp)
            {
                WorkingDirectory = workDir.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[] { "-sn", "uac", $"127.0.0.1:{ep.LocalEndPoint.Port}", "-i", "127.0.0.1", "-p", "0", "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err" })
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

            Assert.True(p.ExitCode == 0, $"sipp exited with {p.ExitCode}: {(await stdout)[^Math.Min(2000, (await stdout).Length)..]}");
            var reason = await ended.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(CallEndKind.RemoteHangup, reason.Kind);
            var session = Assert.Single(factory.Sessions);
            var media = Assert.Single(session.Applied);
            Assert.Equal("PCMU", media.Codec.Name);
            Assert.Equal(IPAddress.Loopback, media.RemoteRtp.Address);
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }
}
