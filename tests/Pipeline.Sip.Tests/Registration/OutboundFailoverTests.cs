using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Registration;

/// <summary>Calls through outbound proxies move to the next server when one is down (silent) or answers 503 (RFC 3263 §4.3).</summary>
public sealed class OutboundFailoverTests
{
    private static async Task<int> ServeAsync(UdpClient socket, int? answer, CancellationToken ct)
    {
        int invites = 0;
        while (!ct.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try
            {
                r = await socket.ReceiveAsync(ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (SipParser.Parse(r.Buffer, out _) is not SipRequest req || req.Method != "INVITE") continue;
            invites++;
            if (answer is { } status) await socket.SendAsync(SipWriter.Write(SipMessageFactory.CreateResponse(req, status, null, "p1")), r.RemoteEndPoint, ct);
        }

        return invites;
    }

    [Theory]
    [InlineData(null)] // primary down: nothing answers
    [InlineData(503)] // primary overloaded
    public async Task Call_through_proxies_fails_over_to_the_backup(int? primaryAnswer)
    {
        using var primary = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var server = ServeAsync(primary, primaryAnswer, cts.Token);
        var bobOptions = EndpointPair.Options("bob", autoAnswer: true);
        await using var bob = new Endpoint(bobOptions, new FakeMediaFactory());
        await bob.StartAsync();
        var aliceOptions = EndpointPair.Options("alice") with
        {
            OutboundProxies = [$"sip:127.0.0.1:{((IPEndPoint)primary.Client.LocalEndPoint!).Port}", $"sip:127.0.0.1:{bob.LocalEndPoint.Port}"],
            FailoverTimeout = TimeSpan.FromMilliseconds(400),
        };
        await using var alice = new Endpoint(aliceOptions, new FakeMediaFactory());
        await alice.StartAsync();

        var started = DateTime.UtcNow;
        var call = await alice.CallAsync($"sip:bob@127.0.0.1:{bob.LocalEndPoint.Port}").WaitAsync(EndpointPair.Wait);
        Assert.Equal(CallState.Established, call.State);
        if (primaryAnswer is null) Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(350), "failed over before the failover timeout");
        await call.HangupAsync();
        await cts.CancelAsync();
        Assert.True(await server >= 1, "the primary never saw the INVITE");
    }

    [Fact]
    public async Task Call_fails_when_every_proxy_is_down()
    {
        using var a = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var b = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var options = EndpointPair.Options("alice") with
        {
            OutboundProxies = [$"sip:127.0.0.1:{((IPEndPoint)a.Client.LocalEndPoint!).Port}", $"sip:127.0.0.1:{((IPEndPoint)b.Client.LocalEndPoint!).Port}"],
            FailoverTimeout = TimeSpan.FromMilliseconds(300),
        };
        await using var alice = new Endpoint(options, new FakeMediaFactory());
        await alice.StartAsync();
        var ex = await Assert.ThrowsAsync<CallFailedException>(() => alice.CallAsync("sip:bob@example.test").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(408, ex.StatusCode);
    }
}
