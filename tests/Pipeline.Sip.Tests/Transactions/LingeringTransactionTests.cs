using System.Net;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transactions;

namespace Pipeline.Sip.Tests.Transactions;

/// <summary>Completed server transactions kept as compact records (timers I, J, L) still absorb retransmissions as RFC 3261/6026 say.</summary>
public sealed class LingeringTransactionTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5070);
    private readonly ManualTimeProvider _time = new();
    private RecordingTransport? _transport;
    private readonly RecordingUser _user = new();

    private SipTransactionLayer NewLayer(int maxLive = int.MaxValue, int maxLingering = int.MaxValue)
    {
        _transport = new RecordingTransport(_time);
        return new SipTransactionLayer(_transport, new InlineScheduler(), _time, SipTimerSettings.Default)
        {
            User = _user,
            MaxServerTransactions = maxLive,
            MaxLingeringServerTransactions = maxLingering,
        };
    }

    private RecordingTransport Transport => _transport!;

    private static SipRequest Incoming(string method, string branch = "z9hG4bKsrv1", string cseqMethod = "", string callId = "srv@test", string toTag = "", string sentBy = "127.0.0.1:5070")
    {
        var text = $"{method} sip:bob@127.0.0.1:5099 SIP/2.0\r\nVia: SIP/2.0/UDP {sentBy};branch={branch};rport\r\nMax-Forwards: 70\r\n" +
                   $"From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>{(toTag.Length > 0 ? ";tag=" + toTag : "")}\r\nCall-ID: {callId}\r\nCSeq: 1 {(cseqMethod.Length > 0 ? cseqMethod : method)}\r\n" +
                   "Contact: <sip:alice@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
        var m = (SipRequest)SipParser.Parse(Encoding.ASCII.GetBytes(text), out var error)!;
        Assert.Null(error);
        return m;
    }

    /// <summary>What the transport stamps on a request received from <paramref name="source"/> (§18.2.1 received/rport).</summary>
    private static SipRequest From(SipRequest request, IPEndPoint source)
    {
        Pipeline.Sip.Transport.SipResponseRouting.StampTopVia(request, source);
        return request;
    }

    private SipResponse[] SentResponses(int status) => Transport.Sent.Select(s => s.Message).OfType<SipResponse>().Where(r => r.StatusCode == status).ToArray();

    [Fact]
    public void Retransmitted_bye_within_timer_J_gets_the_stored_response_byte_for_byte_at_the_same_address()
    {
        var layer = NewLayer();
        var source = new IPEndPoint(IPAddress.Parse("127.0.0.5"), 40000); // NAT: rport/received differ from the Via
        layer.OnMessage(From(Incoming("BYE", toTag: "b1"), source), source);
        var stx = Assert.Single(_user.Requests);
        var ok = stx.CreateResponse(200);
        ok.AddHeader("Server", "test");
        stx.SendResponse(ok);
        Assert.Equal(0, layer.LiveServerCount);
        Assert.Equal(1, layer.LingeringServerCount);

        _time.Advance(TimeSpan.FromSeconds(31));
        layer.OnMessage(From(Incoming("BYE", toTag: "b1"), source), source);

        Assert.Single(_user.Requests); // absorbed, not a new request
        var sent = Transport.Sent.Where(s => s.Message is SipResponse { StatusCode: 200 }).ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal(SipWriter.Write(sent[0].Message), SipWriter.Write(sent[1].Message));
        Assert.Equal(source, sent[1].To);
        Assert.Equal(31, sent[1].At.TotalSeconds);

        _time.Advance(TimeSpan.FromSeconds(1.1)); // J = 64*T1 after the final response
        Assert.Equal(0, layer.ServerCount);
        layer.OnMessage(From(Incoming("BYE", toTag: "b1"), source), source);
        Assert.Equal(2, _user.Requests.Count); // forgotten: a new request now
    }

    [Fact]
    public void Retransmitted_invite_while_accepted_is_absorbed_and_the_ack_of_the_2xx_still_reaches_the_TU()
    {
        var layer = NewLayer();
        layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)Assert.Single(_user.Requests);
        stx.SendResponse(stx.CreateResponse(200));
        Assert.Equal(SipTransactionState.Accepted, stx.State);
        Assert.Equal(1, layer.LingeringServerCount);

        _time.Advance(TimeSpan.FromSeconds(2));
        layer.OnMessage(Incoming("INVITE"), Peer);
        Assert.Single(_user.Requests); // RFC 6026: absorbed in Accepted (the TU retransmits its 2xx itself)
        Assert.Single(SentResponses(200));

        // The ACK of a 2xx is its own transaction (new branch) and goes to the TU; so does one reusing the INVITE's branch.
        layer.OnMessage(Incoming("ACK", branch: "z9hG4bKack1", cseqMethod: "ACK", toTag: stx.LocalTag), Peer);
        layer.OnMessage(Incoming("ACK", cseqMethod: "ACK", toTag: stx.LocalTag), Peer);
        Assert.Equal(2, _user.Acks.Count);

        // The detached transaction still sends the TU's 2xx retransmissions.
        stx.SendResponse(stx.CreateResponse(200));
        Assert.Equal(2, SentResponses(200).Length);

        _time.Advance(TimeSpan.FromSeconds(30.1)); // timer L
        Assert.Equal(0, layer.ServerCount);
    }

    [Fact]
    public void Ack_of_an_error_response_confirms_then_ack_and_invite_retransmissions_are_absorbed_until_timer_I()
    {
        var layer = NewLayer();
        layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(486));
        Assert.Equal(1, layer.LiveServerCount); // Completed: still retransmitting on timer G until the ACK

        layer.OnMessage(Incoming("INVITE"), Peer);
        Assert.Equal(2, SentResponses(486).Length); // a retransmitted INVITE gets the error again

        layer.OnMessage(Incoming("ACK", cseqMethod: "ACK", toTag: stx.LocalTag), Peer);
        Assert.Equal(SipTransactionState.Confirmed, stx.State);
        Assert.Equal(0, layer.LiveServerCount);
        Assert.Equal(1, layer.LingeringServerCount);

        layer.OnMessage(Incoming("ACK", cseqMethod: "ACK", toTag: stx.LocalTag), Peer);
        layer.OnMessage(Incoming("INVITE"), Peer);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(_user.Acks);
        Assert.Single(_user.Requests);
        Assert.Equal(2, SentResponses(486).Length); // timer G stopped with the ACK
        Assert.Equal(1, layer.ServerCount);

        _time.Advance(TimeSpan.FromSeconds(0.2)); // timer I = T4
        Assert.Equal(0, layer.ServerCount);
    }

    [Fact]
    public void Late_cancel_of_an_answered_invite_gets_200_with_the_invite_to_tag_and_is_not_reported()
    {
        var layer = NewLayer();
        layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        layer.OnMessage(Incoming("CANCEL"), Peer);

        var cancelOk = Transport.Sent.Select(s => s.Message).OfType<SipResponse>().Single(r => r.CSeq.Method == "CANCEL");
        Assert.Equal(200, cancelOk.StatusCode);
        Assert.Equal(stx.LocalTag, cancelOk.To.Tag);
        Assert.Empty(_user.Cancels);
    }

    [Fact]
    public void Merged_request_is_still_detected_while_the_first_transaction_lingers()
    {
        var layer = NewLayer();
        layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork1"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        Assert.Equal(1, layer.LingeringServerCount);

        layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork2"), Peer);
        Assert.Single(_user.Requests);
        Assert.Equal(482, ((SipResponse)Transport.Sent[^1].Message).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(33)); // both gone: the same Call-ID/CSeq is a new request again
        layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork3"), Peer);
        Assert.Equal(2, _user.Requests.Count);
    }

    [Fact]
    public void Only_live_transactions_count_against_the_cap_so_completed_ones_never_cause_503()
    {
        var layer = NewLayer(maxLive: 10);
        for (var i = 0; i < 100; i++)
        {
            layer.OnMessage(Incoming("OPTIONS", branch: "z9hG4bKo" + i, callId: "o" + i), Peer);
            _user.Requests[^1].SendResponse(_user.Requests[^1].CreateResponse(200));
        }

        Assert.Equal(100, _user.Requests.Count);
        Assert.Empty(SentResponses(503));
        Assert.Equal(0, layer.RejectedOverload);
        Assert.Equal(100, layer.LingeringServerCount);
        Assert.Equal(0, layer.LiveServerCount);

        // Unanswered ones still fill the table (90% for new out-of-dialog requests).
        for (var i = 0; i < 20; i++)
        {
            layer.OnMessage(Incoming("OPTIONS", branch: "z9hG4bKp" + i, callId: "p" + i), Peer);
        }

        Assert.Equal(9, layer.LiveServerCount);
        Assert.Equal(11, SentResponses(503).Length);
    }

    [Fact]
    public void Full_lingering_table_forgets_the_entry_closest_to_expiry_first_and_stays_bounded()
    {
        var layer = NewLayer(maxLingering: 5);
        for (var i = 0; i < 8; i++)
        {
            layer.OnMessage(Incoming("BYE", branch: "z9hG4bKb" + i, callId: "b" + i, toTag: "t"), Peer);
            _user.Requests[^1].SendResponse(_user.Requests[^1].CreateResponse(200));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(5, layer.LingeringServerCount);
        Assert.Equal(3, layer.EvictedLingering);

        layer.OnMessage(Incoming("BYE", branch: "z9hG4bKb0", callId: "b0", toTag: "t"), Peer); // forgotten early: new request
        Assert.Equal(9, _user.Requests.Count);
        layer.OnMessage(Incoming("BYE", branch: "z9hG4bKb7", callId: "b7", toTag: "t"), Peer); // still remembered: absorbed
        Assert.Equal(9, _user.Requests.Count);
        Assert.Equal(9, SentResponses(200).Length); // eight answers and one resend (b0 went to the TU, which did not answer yet)
    }

    [Fact]
    public void Entries_of_different_lifetimes_each_expire_on_time()
    {
        var layer = NewLayer();
        layer.OnMessage(Incoming("BYE", branch: "z9hG4bKj", callId: "j", toTag: "t"), Peer);
        _user.Requests[^1].SendResponse(_user.Requests[^1].CreateResponse(200)); // timer J: 32 s
        layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKi", callId: "i"), Peer);
        var invite = (InviteServerTransaction)_user.Requests[^1];
        invite.SendResponse(invite.CreateResponse(603));
        layer.OnMessage(Incoming("ACK", branch: "z9hG4bKi", callId: "i", cseqMethod: "ACK", toTag: invite.LocalTag), Peer); // timer I: 5 s

        Assert.Equal(2, layer.LingeringServerCount);
        _time.Advance(TimeSpan.FromSeconds(5.1));
        Assert.Equal(1, layer.LingeringServerCount);
        _time.Advance(TimeSpan.FromSeconds(26.8));
        Assert.Equal(1, layer.LingeringServerCount);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, layer.LingeringServerCount);
    }

    private sealed class RecordingUser : ISipTransactionUser
    {
        public List<SipServerTransaction> Requests { get; } = [];
        public List<SipRequest> Acks { get; } = [];
        public List<InviteServerTransaction> Cancels { get; } = [];

        public void OnRequest(SipServerTransaction transaction) => Requests.Add(transaction);

        public void OnAck(SipRequest ack, IPEndPoint remote) => Acks.Add(ack);

        public void OnCancel(InviteServerTransaction invite, SipRequest cancel) => Cancels.Add(invite);

        public void OnStrayResponse(SipResponse response, IPEndPoint remote)
        {
        }
    }
}
