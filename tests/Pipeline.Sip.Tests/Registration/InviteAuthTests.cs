using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Registration;

/// <summary>An INVITE challenged by a proxy (407) or a UAS (401) is resent once with digest credentials.</summary>
public sealed class InviteAuthTests
{
    /// <summary>Challenges the first INVITE, then answers the authenticated one with <paramref name="finalStatus"/>.</summary>
    private static async Task<List<SipRequest>> ServeAsync(UdpClient socket, int challengeStatus, int finalStatus, CancellationToken ct)
    {
        var verifier = new DigestVerifier("proxy.test");
        var invites = new List<SipRequest>();
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
            invites.Add(req);
            string header = challengeStatus == 401 ? "Authorization" : "Proxy-Authorization";
            var check = verifier.Verify(req.GetHeader(header), "INVITE", u => u == "agent1" ? "pw" : null, req.RequestUriText);
            var resp = SipMessageFactory.CreateResponse(req, check.IsAuthenticated ? finalStatus : challengeStatus, null, "uas1");
            if (!check.IsAuthenticated) resp.AddHeader(challengeStatus == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", verifier.CreateChallenge().ToHeaderValue());
            await socket.SendAsync(SipWriter.Write(resp), r.RemoteEndPoint, ct);
        }

        return invites;
    }

    [Theory]
    [InlineData(407)]
    [InlineData(401)]
    public async Task Challenged_invite_is_resent_with_credentials_and_a_higher_cseq(int challenge)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = ServeAsync(socket, challenge, 486, cts.Token);
        var options = EndpointPair.Options("agent1") with { Credentials = new DigestCredentials("agent1", "pw") };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();

        var ex = await Assert.ThrowsAsync<CallFailedException>(() => ep.CallAsync($"sip:bob@127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port}"));
        Assert.Equal(486, ex.StatusCode); // the authenticated INVITE reached the "callee"
        await cts.CancelAsync();
        var invites = await server;
        Assert.Equal(2, invites.Count);
        Assert.Equal(invites[0].CallId, invites[1].CallId);
        Assert.Equal(invites[0].CSeq.Number + 1, invites[1].CSeq.Number);
        Assert.NotEqual(invites[0].TopVia!.Branch, invites[1].TopVia!.Branch);
        Assert.NotNull(invites[1].GetHeader(challenge == 401 ? "Authorization" : "Proxy-Authorization"));
    }

    [Fact]
    public async Task Challenge_without_credentials_fails_the_call_with_that_status()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = ServeAsync(socket, 407, 486, cts.Token);
        await using var ep = new Endpoint(EndpointPair.Options("agent1"), new FakeMediaFactory());
        await ep.StartAsync();
        var ex = await Assert.ThrowsAsync<CallFailedException>(() => ep.CallAsync($"sip:bob@127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port}"));
        Assert.Equal(407, ex.StatusCode);
        await cts.CancelAsync();
        Assert.Single(await server);
    }
}
