using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Tests.Calls;

/// <summary>How <see cref="ChallengingPeer"/> treats a request that carries valid credentials the first time.</summary>
internal enum StaleMode
{
    /// <summary>Accept it.</summary>
    None,
    /// <summary>Once: challenge again with stale=true and a fresh nonce (the nonce "expired").</summary>
    FreshNonce,
    /// <summary>Always: challenge again with stale=true and the very nonce just answered (a broken server).</summary>
    SameNonce,
}

/// <summary>
/// A hand-written peer UA on a real UDP socket: answers INVITE 200 with SDP, challenges REFER with 401
/// (WWW-Authenticate) and NOTIFY with 407 (Proxy-Authenticate) using <see cref="DigestVerifier"/>, answers an
/// authenticated REFER 202 and then sends the implicit subscription's NOTIFYs (100 Trying, 200 OK) into the dialog.
/// </summary>
internal sealed class ChallengingPeer : IAsyncDisposable
{
    private const string Sdp = "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly HashSet<string> _staledOnce = [];
    private SipRequest? _invite;
    private IPEndPoint? _endpoint;
    private int _cseq = 100;

    public ChallengingPeer(string password = "pw", StaleMode stale = StaleMode.None, bool sendNotifies = true)
    {
        Password = password;
        Stale = stale;
        SendNotifies = sendNotifies;
        _loop = RunAsync(_cts.Token);
    }

    public DigestVerifier Verifier { get; } = new("peer.test");

    public string Password { get; }

    public StaleMode Stale { get; }

    public bool SendNotifies { get; }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public string Uri => $"sip:peer@127.0.0.1:{Port}";

    /// <summary>Every request received (retransmissions left out), in order.</summary>
    public ConcurrentQueue<SipRequest> Requests { get; } = new();

    /// <summary>Every (request, verification) the peer checked.</summary>
    public ConcurrentQueue<(SipRequest Request, DigestVerificationResult Result)> Checks { get; } = new();

    /// <summary>Responses to the NOTIFYs the peer sent.</summary>
    public ConcurrentQueue<SipResponse> Responses { get; } = new();

    private async Task RunAsync(CancellationToken ct)
    {
        var seen = new HashSet<string>();
        while (!ct.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try
            {
                r = await _socket.ReceiveAsync(ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }

            var message = SipParser.Parse(r.Buffer, out _);
            if (message is SipResponse response)
            {
                Responses.Enqueue(response);
                continue;
            }

            if (message is not SipRequest req || req.Method == "ACK") continue;
            if (!seen.Add(req.TopVia!.Branch + req.Method)) continue; // a retransmission: our answer is on its way already
            Requests.Enqueue(req);
            await HandleAsync(req, r.RemoteEndPoint, ct);
        }
    }

    private async Task HandleAsync(SipRequest req, IPEndPoint from, CancellationToken ct)
    {
        switch (req.Method)
        {
            case "INVITE":
                _invite = req;
                _endpoint = from;
                var ok = SipMessageFactory.CreateResponse(req, 200, null, "peer1");
                ok.AddHeader("Contact", $"<{Uri}>");
                ok.AddHeader("Content-Type", "application/sdp");
                ok.Body = Encoding.ASCII.GetBytes(Sdp);
                await SendAsync(ok, from, ct);
                return;
            case "REFER" or "NOTIFY" or "MESSAGE":
                bool proxy = req.Method == "NOTIFY";
                if (!await AuthenticatedAsync(req, from, proxy, ct)) return;
                await SendAsync(SipMessageFactory.CreateResponse(req, req.Method == "REFER" ? 202 : 200), from, ct);
                if (req.Method == "REFER" && SendNotifies)
                {
                    await NotifyAsync(req.CSeq.Number, "active;expires=60", "SIP/2.0 100 Trying\r\n", ct);
                    await NotifyAsync(req.CSeq.Number, "terminated;reason=noresource", "SIP/2.0 200 OK\r\n", ct);
                }

                return;
            default:
                await SendAsync(SipMessageFactory.CreateResponse(req, 200), from, ct);
                return;
        }
    }

    private async Task<bool> AuthenticatedAsync(SipRequest req, IPEndPoint from, bool proxy, CancellationToken ct)
    {
        string answerHeader = proxy ? "Proxy-Authorization" : "Authorization";
        var check = Verifier.Verify(req.GetHeader(answerHeader), req.Method, u => u == "agent1" ? Password : null, req.RequestUriText);
        Checks.Enqueue((req, check));
        DigestChallenge? challenge = null;
        if (!check.IsAuthenticated)
        {
            challenge = check.Challenges[0];
        }
        else if (Stale != StaleMode.None && DigestAuthorization.TryParse(req.GetHeader(answerHeader)!, out var a, out _))
        {
            if (Stale == StaleMode.SameNonce)
            {
                challenge = new DigestChallenge(Verifier.Realm, a.Nonce) { Stale = true, Algorithm = DigestAlgorithm.Md5, AlgorithmSpecified = true, OffersAuth = true };
            }
            else if (_staledOnce.Add(req.Method))
            {
                challenge = Verifier.CreateChallenge(stale: true);
            }
        }

        if (challenge is null) return true;
        var resp = SipMessageFactory.CreateResponse(req, proxy ? 407 : 401);
        resp.AddHeader(proxy ? "Proxy-Authenticate" : "WWW-Authenticate", challenge.ToHeaderValue());
        await SendAsync(resp, from, ct);
        return false;
    }

    /// <summary>A NOTIFY of the REFER's implicit subscription, into the dialog the INVITE created.</summary>
    private async Task NotifyAsync(uint referCSeq, string state, string sipfrag, CancellationToken ct)
    {
        var invite = _invite ?? throw new InvalidOperationException("no dialog");
        var notify = new SipRequest("NOTIFY", invite.Contacts[0].Uri!);
        notify.AddHeader("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={SipMessageFactory.NewBranch()};rport");
        notify.AddHeader("Max-Forwards", "70");
        notify.AddHeader("From", invite.GetHeader("To")! + ";tag=peer1");
        notify.AddHeader("To", invite.GetHeader("From")!);
        notify.AddHeader("Call-ID", invite.CallId);
        notify.AddHeader("CSeq", (++_cseq).ToString(CultureInfo.InvariantCulture) + " NOTIFY");
        notify.AddHeader("Contact", $"<{Uri}>");
        notify.AddHeader("Event", "refer;id=" + referCSeq.ToString(CultureInfo.InvariantCulture));
        notify.AddHeader("Subscription-State", state);
        notify.AddHeader("Content-Type", "message/sipfrag;version=2.0");
        notify.Body = Encoding.ASCII.GetBytes(sipfrag);
        await SendAsync(notify, _endpoint!, ct);
    }

    /// <summary>Sends a raw request into the dialog (e.g. a REFER towards the endpoint).</summary>
    public async Task SendInDialogAsync(string method, params (string Name, string Value)[] headers)
    {
        var invite = _invite ?? throw new InvalidOperationException("no dialog");
        var req = new SipRequest(method, invite.Contacts[0].Uri!);
        req.AddHeader("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={SipMessageFactory.NewBranch()};rport");
        req.AddHeader("Max-Forwards", "70");
        req.AddHeader("From", invite.GetHeader("To")! + ";tag=peer1");
        req.AddHeader("To", invite.GetHeader("From")!);
        req.AddHeader("Call-ID", invite.CallId);
        req.AddHeader("CSeq", (++_cseq).ToString(CultureInfo.InvariantCulture) + " " + method);
        foreach (var (n, v) in headers) req.AddHeader(n, v);
        req.AddHeader("Content-Length", "0");
        await SendAsync(req, _endpoint!, CancellationToken.None);
    }

    private async Task SendAsync(SipMessage message, IPEndPoint to, CancellationToken ct) => await _socket.SendAsync(SipWriter.Write(message), to, ct);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _cts.Dispose();
    }
}
