using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Registration;

/// <summary>A server that challenges in-dialog requests (re-INVITE, BYE) gets our credentials once, with a higher CSeq.</summary>
public sealed class InDialogAuthTests
{
    private const string Sdp = "v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    /// <summary>Answers INVITE 200 (challenging re-INVITEs with 407 first) and BYE with 401 until it carries valid credentials.</summary>
    private static async Task<List<SipRequest>> ServeAsync(UdpClient socket, CancellationToken ct)
    {
        var verifier = new DigestVerifier("uas.test");
        var seen = new List<SipRequest>();
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
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

            if (SipParser.Parse(r.Buffer, out _) is not SipRequest req || req.Method == "ACK") continue;
            bool retransmission = seen.Exists(s => s.TopVia!.Branch == req.TopVia!.Branch);
            if (!retransmission) seen.Add(req);
            bool inDialog = req.To.Tag is not null;
            SipResponse resp;
            if (inDialog && req.Method is "INVITE" or "BYE")
            {
                bool proxy = req.Method == "INVITE";
                var check = verifier.Verify(req.GetHeader(proxy ? "Proxy-Authorization" : "Authorization"), req.Method, u => u == "agent1" ? "pw" : null, req.RequestUriText);
                if (!check.IsAuthenticated)
                {
                    resp = SipMessageFactory.CreateResponse(req, proxy ? 407 : 401);
                    resp.AddHeader(proxy ? "Proxy-Authenticate" : "WWW-Authenticate", verifier.CreateChallenge().ToHeaderValue());
                    await socket.SendAsync(SipWriter.Write(resp), r.RemoteEndPoint, ct);
                    continue;
                }
            }

            resp = SipMessageFactory.CreateResponse(req, 200, null, "uas1");
            if (req.Method == "INVITE")
            {
                resp.AddHeader("Contact", $"<sip:uas@127.0.0.1:{port}>");
                resp.AddHeader("Content-Type", "application/sdp");
                resp.Body = Encoding.ASCII.GetBytes(Sdp);
            }

            await socket.SendAsync(SipWriter.Write(resp), r.RemoteEndPoint, ct);
        }

        return seen;
    }

    [Fact]
    public async Task Challenged_reinvite_and_bye_are_resent_once_with_credentials()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var server = ServeAsync(socket, cts.Token);
        var options = EndpointPair.Options("agent1") with { Credentials = new DigestCredentials("agent1", "pw") };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();

        var call = await ep.CallAsync($"sip:uas@127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port}").WaitAsync(EndpointPair.Wait);
        await call.RenegotiateAsync(MediaDirection.SendOnly).WaitAsync(EndpointPair.Wait); // hold, challenged with 407
        Assert.Equal(MediaDirection.SendOnly, call.CurrentMedia!.Direction);
        await call.HangupAsync();
        await call.Completion.WaitAsync(EndpointPair.Wait);
        Assert.Equal(CallEndKind.LocalHangup, call.EndReason!.Kind);

        await cts.CancelAsync();
        var seen = await server;
        var reinvites = seen.Where(s => s.Method == "INVITE" && s.To.Tag is not null).ToList();
        var byes = seen.Where(s => s.Method == "BYE").ToList();
        Assert.Equal(2, reinvites.Count);
        Assert.Equal(reinvites[0].CSeq.Number + 1, reinvites[1].CSeq.Number);
        Assert.NotNull(reinvites[1].GetHeader("Proxy-Authorization"));
        Assert.Equal(2, byes.Count);
        Assert.True(byes[0].CSeq.Number > reinvites[1].CSeq.Number, "the BYE's CSeq must be above the authenticated re-INVITE's");
        Assert.Equal(byes[0].CSeq.Number + 1, byes[1].CSeq.Number);
        Assert.NotNull(byes[1].GetHeader("Authorization"));
    }
}
