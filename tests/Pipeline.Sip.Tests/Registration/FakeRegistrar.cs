using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Tests.Registration;

/// <summary>A registrar on a real UDP socket: challenges with digest (our verifier), grants a lifetime, records every REGISTER.</summary>
internal sealed class FakeRegistrar : IAsyncDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly DigestVerifier _verifier = new("pipeline.test");
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    public FakeRegistrar(string user, string password, int grantSeconds)
    {
        User = user;
        Password = password;
        GrantSeconds = grantSeconds;
        _loop = Task.Run(LoopAsync);
    }

    public string User { get; }

    public string Password { get; }

    public int GrantSeconds { get; set; }

    /// <summary>When true, requests are swallowed (a registrar that went down).</summary>
    public bool Silent { get; set; }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public ConcurrentQueue<SipRequest> Received { get; } = new();

    public ConcurrentQueue<(SipRequest Request, int Status)> Answered { get; } = new();

    private async Task LoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try
            {
                r = await _socket.ReceiveAsync(_cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (SipParser.Parse(r.Buffer, out _) is not SipRequest req || req.Method != "REGISTER") continue;
            Received.Enqueue(req);
            if (Silent) continue;
            var check = _verifier.Verify(req.GetHeader("Authorization"), "REGISTER", u => u == User ? Password : null, req.RequestUriText);
            SipResponse resp;
            if (!check.IsAuthenticated)
            {
                resp = SipMessageFactory.CreateResponse(req, 401, "Unauthorized", "reg1");
                foreach (var c in check.Challenges.Count > 0 ? check.Challenges : [_verifier.CreateChallenge()])
                {
                    resp.AddHeader("WWW-Authenticate", c.ToHeaderValue());
                }
            }
            else
            {
                resp = SipMessageFactory.CreateResponse(req, 200, "OK", "reg1");
                int asked = int.Parse(req.GetHeader("Expires") ?? "3600", System.Globalization.CultureInfo.InvariantCulture);
                if (asked > 0) resp.AddHeader("Contact", req.GetHeader("Contact") + ";expires=" + Math.Min(asked, GrantSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            Answered.Enqueue((req, resp.StatusCode));
            await _socket.SendAsync(SipWriter.Write(resp), r.RemoteEndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _cts.Dispose();
    }
}
