using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;
using Xunit.Abstractions;

namespace Pipeline.Sip.Tests.Protection;

public sealed class FloodTests(ITestOutputHelper output)
{
    private static EndpointOptions Bob() => EndpointPair.Options("bob") with { T1 = TimeSpan.FromMilliseconds(500), T2 = TimeSpan.FromSeconds(4), T4 = TimeSpan.FromSeconds(5) };

    private static string Options(int port, string branch, string callId) =>
        $"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    private static string Invite(int port, string branch, string callId)
    {
        const string sdp = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
        return $"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch={branch}\r\nMax-Forwards: 70\r\n" +
               $"From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:raw@127.0.0.1:{port}>\r\n" +
               $"Content-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    private static async Task FloodAsync(IPEndPoint target, int count)
    {
        using var flood = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        flood.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)flood.LocalEndPoint!).Port;
        var random = new Random(4475);
        var junk = new byte[700];
        for (var i = 0; i < count; i++)
        {
            byte[] datagram;
            switch (i % 3)
            {
                case 0:
                    random.NextBytes(junk);
                    datagram = junk;
                    break;
                case 1:
                    datagram = Encoding.ASCII.GetBytes(Options(port, "z9hG4bKf" + i, "flood-o" + i));
                    break;
                default:
                    datagram = Encoding.ASCII.GetBytes(Invite(port, "z9hG4bKf" + i, "flood-i" + i));
                    break;
            }

            flood.SendTo(datagram, target);
            if (i % 100 == 0)
            {
                await Task.Delay(1); // let the receive loop keep up a little, so that most datagrams reach the endpoint
            }
        }
    }

    [Fact]
    public async Task Flood_without_rate_limit_is_bounded_by_the_transaction_and_dialog_caps()
    {
        await using var bob = new Endpoint(Bob() with { RequestsPerSecondPerSource = 0, MaxServerTransactions = 500, MaxDialogs = 100 }, new FakeMediaFactory());
        await bob.StartAsync();
        await FloodAsync(bob.LocalEndPoint, 15_000);
        var ua = bob.UserAgent!;
        await EndpointPair.WaitUntil(() => ua.Queue.Pending == 0, "the signalling queue to drain");
        Assert.InRange(ua.Layer.LiveServerCount, 100, 500);
        Assert.InRange(ua.Layer.LingeringServerCount, 0, bob.Options.MaxCompletedTransactions); // answered ones wait out retransmissions as compact records
        Assert.InRange(bob.Calls.Count, 1, 100);
        Assert.True(ua.Layer.RejectedOverload > 0, "the transaction table never filled");
    }

    [Fact]
    public async Task Flood_of_50000_datagrams_leaves_memory_and_tables_bounded_and_a_legitimate_options_still_gets_200()
    {
        await using var bob = new Endpoint(Bob() with { RequestsPerSecondPerSource = 200, RequestBurstPerSource = 400 }, new FakeMediaFactory());
        await bob.StartAsync();
        var target = bob.LocalEndPoint;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var started = DateTime.UtcNow;
        await FloodAsync(target, 50_000);
        var floodTime = DateTime.UtcNow - started;
        var ua = bob.UserAgent!;
        await EndpointPair.WaitUntil(() => ua.Queue.Pending == 0, "the signalling queue to drain");
        var protection = bob.Protection!;
        output.WriteLine($"flood sent in {floodTime.TotalSeconds:F2} s; requests accepted {protection.Accepted}, dropped {protection.Dropped}, rejected (503) {protection.Rejected}; " +
                         $"server transactions {ua.Layer.ServerCount}, calls {bob.Calls.Count}, table-full 503s {ua.Layer.RejectedOverload}");

        // A legitimate client on another source address still gets its answer.
        using var legit = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var legitPort = ((IPEndPoint)legit.Client.LocalEndPoint!).Port;
        var options = Encoding.ASCII.GetBytes(Options(legitPort, "z9hG4bKlegit", "legit-1").Replace("127.0.0.1:" + legitPort, "127.0.0.2:" + legitPort, StringComparison.Ordinal));
        await legit.SendAsync(options, target);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var answer = (SipResponse)SipParser.Parse((await legit.ReceiveAsync(cts.Token)).Buffer, out _)!;
        Assert.Equal(200, answer.StatusCode);

        // The rate limit did its job and what got through is bounded by the burst plus the sustained rate.
        Assert.True(protection.Dropped + protection.Rejected > 5_000, $"only {protection.Dropped + protection.Rejected} requests were refused");
        var allowed = bob.Options.RequestBurstPerSource + (bob.Options.RequestsPerSecondPerSource * (DateTime.UtcNow - started).TotalSeconds) + 1;
        Assert.InRange(protection.Accepted, 1, (long)allowed + 1);
        Assert.InRange(ua.Layer.ServerCount, 1, 2_000);
        Assert.InRange(bob.Calls.Count, 0, bob.Options.MaxDialogs);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed memory {before / 1024} KB before, {after / 1024} KB after");
        Assert.True(after - before < 40L * 1024 * 1024, $"memory grew by {(after - before) / 1024} KB");
    }

    [Fact]
    public async Task Invite_beyond_max_dialogs_gets_503_with_retry_after()
    {
        await using var bob = new Endpoint(Bob() with { MaxDialogs = 1 }, new FakeMediaFactory());
        await bob.StartAsync();
        using var raw = new RawSipClient();
        raw.Send(bob.LocalEndPoint, Invite(raw.Port, "z9hG4bKd1", "dlg-1"));
        await EndpointPair.WaitUntil(() => bob.Calls.Count == 1, "the first call");
        raw.Send(bob.LocalEndPoint, Invite(raw.Port, "z9hG4bKd2", "dlg-2"));
        SipResponse? r;
        do
        {
            r = await raw.FinalResponseAsync(TimeSpan.FromSeconds(5));
        }
        while (r is not null && r.CallId != "dlg-2");

        Assert.NotNull(r);
        Assert.Equal(503, r.StatusCode);
        Assert.Equal("5", r.GetHeader("Retry-After"));
        Assert.Single(bob.Calls);
    }

    [Fact]
    public async Task Datagram_over_max_message_size_is_dropped_unanswered()
    {
        await using var bob = new Endpoint(Bob() with { MaxMessageSize = 2000 }, new FakeMediaFactory());
        await bob.StartAsync();
        using var raw = new RawSipClient();
        var big = raw.Options("z9hG4bKbig", "big-1").Replace("Content-Length: 0", "X-Padding: " + new string('a', 2500) + "\r\nContent-Length: 0", StringComparison.Ordinal);
        raw.Send(bob.LocalEndPoint, big);
        Assert.Null(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
        raw.Send(bob.LocalEndPoint, raw.Options("z9hG4bKsmall", "small-1"));
        Assert.Equal(200, (await raw.FinalResponseAsync(TimeSpan.FromSeconds(5)))!.StatusCode);
        Assert.Equal(1, bob.Protection!.Oversized);
    }

    [Fact]
    public async Task Unanswered_incoming_call_is_refused_with_480_after_the_ring_timeout()
    {
        var time = new ManualTimeProvider();
        await using var bob = new Endpoint(Bob() with { TimeProvider = time, IncomingCallTimeout = TimeSpan.FromSeconds(30) }, new FakeMediaFactory());
        await bob.StartAsync();
        using var raw = new RawSipClient();
        raw.Send(bob.LocalEndPoint, Invite(raw.Port, "z9hG4bKring", "ring-1"));
        await EndpointPair.WaitUntil(() => bob.Calls.Count == 1, "the call");
        var call = bob.Calls.Single();
        await call.MediaReady.WaitAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100);
        Assert.Single(bob.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        var r = await raw.FinalResponseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(480, r!.StatusCode);
        await EndpointPair.WaitUntil(() => bob.Calls.Count == 0, "the call to end");
        Assert.Equal(Pipeline.Sip.Calls.CallEndKind.Timeout, call.EndReason!.Kind);
    }
}
