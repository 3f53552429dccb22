using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Calls;

/// <summary><see cref="Endpoint.SendRequestAsync"/>: OPTIONS and MESSAGE outside a dialog, with digest retry and server failover.</summary>
public sealed class OutOfDialogRequestTests
{
    [Fact]
    public async Task Options_to_another_endpoint_returns_its_200_with_allow()
    {
        await using var pair = await EndpointPair.StartAsync();

        var result = await pair.Alice.SendRequestAsync(pair.BobUri, "OPTIONS").WaitAsync(EndpointPair.Wait);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("OPTIONS", result.Method);
        Assert.Contains("NOTIFY", result.GetHeader("Allow"), StringComparison.Ordinal);
        Assert.Contains("application/sdp", result.GetHeader("Accept"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_challenged_401_is_resent_with_credentials_and_a_higher_cseq()
    {
        await using var peer = new ChallengingPeer();
        var options = EndpointPair.Options("agent1") with { Credentials = new DigestCredentials("agent1", "pw") };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();

        var result = await ep.SendRequestAsync(peer.Uri, "MESSAGE", [("Subject", "hi")], "text/plain", Encoding.UTF8.GetBytes("hello")).WaitAsync(EndpointPair.Wait);

        Assert.Equal(200, result.StatusCode);
        var sent = peer.Requests.Where(r => r.Method == "MESSAGE").ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].CSeq.Number + 1, sent[1].CSeq.Number);
        Assert.Equal(sent[0].CallId, sent[1].CallId);
        Assert.Equal("hello", Encoding.UTF8.GetString(sent[1].Body));
        Assert.True(DigestAuthorization.TryParse(sent[1].GetHeader("Authorization")!, out var a, out _));
        Assert.Equal(sent[1].RequestUriText, a.Uri);
        Assert.True(peer.Checks.Last().Result.IsAuthenticated, peer.Checks.Last().Result.Reason);
    }

    [Fact]
    public async Task Message_with_a_wrong_password_returns_the_final_401()
    {
        await using var peer = new ChallengingPeer(password: "right");
        var options = EndpointPair.Options("agent1") with { Credentials = new DigestCredentials("agent1", "wrong") };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();

        var result = await ep.SendRequestAsync(peer.Uri, "MESSAGE", null, "text/plain", Encoding.UTF8.GetBytes("hello")).WaitAsync(EndpointPair.Wait);

        Assert.Equal(401, result.StatusCode);
        Assert.Equal("credentials rejected for realm 'peer.test'", result.AuthenticationError);
        Assert.Equal(2, peer.Requests.Count(r => r.Method == "MESSAGE"));
    }

    [Fact]
    public async Task Request_moves_to_the_next_proxy_on_503()
    {
        using var busy = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = new CancellationTokenSource(EndpointPair.Wait);
        var busyLoop = Task.Run(async () =>
        {
            var r = await busy.ReceiveAsync(cts.Token);
            var req = (SipRequest)SipParser.Parse(r.Buffer, out _)!;
            await busy.SendAsync(SipWriter.Write(SipMessageFactory.CreateResponse(req, 503)), r.RemoteEndPoint, cts.Token);
            return req;
        });
        await using var peer = new ChallengingPeer();
        var busyPort = ((IPEndPoint)busy.Client.LocalEndPoint!).Port;
        var options = EndpointPair.Options("agent1") with
        {
            Credentials = new DigestCredentials("agent1", "pw"),
            OutboundProxies = [$"sip:127.0.0.1:{busyPort}", $"sip:127.0.0.1:{peer.Port}"],
        };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();

        var result = await ep.SendRequestAsync("sip:someone@example.invalid", "MESSAGE", null, "text/plain", Encoding.UTF8.GetBytes("x")).WaitAsync(EndpointPair.Wait);

        Assert.Equal(200, result.StatusCode);
        var first = await busyLoop;
        var atPeer = peer.Requests.Where(r => r.Method == "MESSAGE").ToList();
        Assert.Equal(first.CallId, atPeer[0].CallId);
        Assert.True(atPeer[0].CSeq.Number > first.CSeq.Number);
        Assert.Contains($"127.0.0.1:{peer.Port}", atPeer[0].GetHeader("Route"), StringComparison.Ordinal);
    }
}
