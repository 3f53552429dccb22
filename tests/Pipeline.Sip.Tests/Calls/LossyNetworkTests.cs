using System.Diagnostics;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transport;
using Xunit.Abstractions;

namespace Pipeline.Sip.Tests.Calls;

public sealed class LossyNetworkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Hundred_calls_complete_with_20_percent_of_datagrams_dropped_and_nothing_leaks()
    {
        LossyTransport? lossy = null;
        var alice = EndpointPair.Options("alice") with
        {
            T1 = TimeSpan.FromMilliseconds(50),
            T2 = TimeSpan.FromMilliseconds(400),
            T4 = TimeSpan.FromMilliseconds(500),
            TransportDecorator = t => lossy = new LossyTransport(t, 0.2, seed: 3261),
        };
        var bob = EndpointPair.Options("bob", autoAnswer: true) with
        {
            T1 = TimeSpan.FromMilliseconds(50),
            T2 = TimeSpan.FromMilliseconds(400),
            T4 = TimeSpan.FromMilliseconds(500),
        };
        await using var pair = await EndpointPair.StartAsync(alice, bob);
        var sw = Stopwatch.StartNew();
        const int Calls = 100;
        const int Parallel = 4;
        var completed = 0;
        var lanes = Enumerable.Range(0, Parallel).Select(async lane =>
        {
            for (var i = lane; i < Calls; i += Parallel)
            {
                Pipeline.Sip.Calls.Call call;
                try
                {
                    call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(TimeSpan.FromSeconds(20));
                }
                catch (Exception ex)
                {
                    output.WriteLine($"call {i} failed at {sw.Elapsed}: {ex.Message}; " + string.Join(", ", lossy!.Counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")) +
                        $" bob protection dropped {pair.Bob.Protection!.Dropped} rejected {pair.Bob.Protection.Rejected}");
                    throw;
                }

                Assert.Equal(Pipeline.Sip.Calls.CallState.Established, call.State);
                await call.HangupAsync().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.Equal(Pipeline.Sip.Calls.CallEndKind.LocalHangup, call.EndReason!.Kind);
                Interlocked.Increment(ref completed);
            }
        }).ToArray();
        await Task.WhenAll(lanes);
        var callTime = sw.Elapsed;

        Assert.Equal(Calls, completed);
        // Bob's calls end when the BYE arrives; wait for the transactions' absorb timers (64*T1 = 3.2 s at most).
        await EndpointPair.WaitUntil(() => pair.Bob.Calls.Count == 0 && pair.Alice.Calls.Count == 0, "both sides to have no calls");
        await EndpointPair.WaitUntil(() => Count(pair.Alice) == 0 && Count(pair.Bob) == 0, "both transaction tables to empty");
        Assert.Equal(Calls, pair.BobMedia.Sessions.Count);
        Assert.All(pair.BobMedia.Sessions, s => Assert.Equal(1, s.DisposeCount));
        Assert.All(pair.AliceMedia.Sessions, s => Assert.Equal(1, s.DisposeCount));

        var l = lossy!;
        var dropped = l.DroppedSends + l.DroppedReceives;
        var total = l.SentCount + l.ReceivedCount;
        output.WriteLine($"{Calls} calls in {callTime.TotalSeconds:F1} s (tables empty after {sw.Elapsed.TotalSeconds:F1} s); {dropped} of {total} datagrams dropped ({100.0 * dropped / total:F1}%)");
        output.WriteLine(string.Join(", ", l.Counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.InRange((double)dropped / total, 0.15, 0.25);
        // Losses were repaired by retransmission: more INVITEs and BYEs went out than calls were made.
        Assert.True(l.Counts["out INVITE"] > Calls, "no INVITE was retransmitted");
        Assert.True(l.Counts["out BYE"] > Calls, "no BYE was retransmitted");
    }

    private static int Count(Endpoint e) => e.UserAgent!.Layer.ClientCount + e.UserAgent.Layer.ServerCount;
}
