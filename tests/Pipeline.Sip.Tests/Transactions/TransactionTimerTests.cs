using System.Net;
using System.Text;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transactions;

namespace Pipeline.Sip.Tests.Transactions;

public sealed class TransactionTimerTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5070);
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingTransport _transport;
    private readonly SipTransactionLayer _layer;
    private readonly RecordingUser _user = new();

    public TransactionTimerTests()
    {
        _transport = new RecordingTransport(_time);
        _layer = new SipTransactionLayer(_transport, new InlineScheduler(), _time, SipTimerSettings.Default) { User = _user };
    }

    private static SipRequest NewRequest(string method)
    {
        var r = new SipRequest(method, SipUri.Parse("sip:bob@127.0.0.1:5070"));
        r.AddHeader("Max-Forwards", "70");
        r.AddHeader("From", "<sip:alice@127.0.0.1>;tag=a1");
        r.AddHeader("To", "<sip:bob@127.0.0.1>");
        r.AddHeader("Call-ID", "c1@test");
        r.AddHeader("CSeq", "1 " + method);
        return r;
    }

    private static SipRequest Incoming(string method, string branch = "z9hG4bKsrv1", string cseqMethod = "")
    {
        var text = $"{method} sip:bob@127.0.0.1:5099 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\nMax-Forwards: 70\r\n" +
                   $"From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: srv@test\r\nCSeq: 1 {(cseqMethod.Length > 0 ? cseqMethod : method)}\r\n" +
                   "Contact: <sip:alice@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
        var m = SipParser.Parse(Encoding.ASCII.GetBytes(text), out var error);
        Assert.Null(error);
        return (SipRequest)m!;
    }

    private static SipResponse ResponseTo(SipRequest request, int status)
    {
        var r = SipMessageFactory.CreateResponse(request, status, null, "b1");
        return (SipResponse)SipParser.Parse(SipWriter.Write(r), out _)!;
    }

    private double[] SendTimes(Func<SipMessage, bool> filter) =>
        _transport.Sent.Where(s => filter(s.Message)).Select(s => s.At.TotalSeconds).ToArray();

    [Fact]
    public void Invite_client_retransmits_on_timer_A_doubling_and_times_out_on_timer_B()
    {
        string? failure = null;
        _layer.SendRequest(NewRequest("INVITE"), Peer, _ => { }, f => failure = f);
        _time.Advance(TimeSpan.FromSeconds(40));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], SendTimes(m => m is SipRequest { Method: "INVITE" }));
        Assert.NotNull(failure);
        Assert.Contains("Timer B", failure);
        Assert.Equal(0, _layer.ClientCount);
    }

    [Fact]
    public void Invite_client_stops_retransmitting_after_provisional_response()
    {
        var req = NewRequest("INVITE");
        var responses = new List<int>();
        _layer.SendRequest(req, Peer, r => responses.Add(r.StatusCode), _ => { });
        _time.Advance(TimeSpan.FromSeconds(1));
        _layer.OnMessage(ResponseTo(req, 180), Peer);
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal([0, 0.5], SendTimes(m => m is SipRequest { Method: "INVITE" }));
        Assert.Equal([180], responses);
    }

    [Fact]
    public void Invite_client_acks_error_response_and_reacks_retransmission_until_timer_D()
    {
        var req = NewRequest("INVITE");
        var responses = new List<int>();
        _layer.SendRequest(req, Peer, r => responses.Add(r.StatusCode), _ => { });
        var busy = ResponseTo(req, 486);
        _layer.OnMessage(busy, Peer);
        _time.Advance(TimeSpan.FromSeconds(2));
        _layer.OnMessage(busy, Peer);

        var acks = _transport.Sent.Where(s => s.Message is SipRequest { Method: "ACK" }).Select(s => (SipRequest)s.Message).ToArray();
        Assert.Equal(2, acks.Length);
        Assert.Equal(req.TopVia!.Branch, acks[0].TopVia!.Branch);
        Assert.Equal("b1", acks[0].To.Tag);
        Assert.Equal(new SipCSeq(1, "ACK"), acks[0].CSeq);
        Assert.Equal([486], responses);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, _layer.ClientCount);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, _layer.ClientCount);
    }

    [Fact]
    public void Invite_client_passes_2xx_retransmissions_to_the_TU_in_accepted_state_until_timer_M()
    {
        var req = NewRequest("INVITE");
        var responses = new List<int>();
        _layer.SendRequest(req, Peer, r => responses.Add(r.StatusCode), _ => { });
        var ok = ResponseTo(req, 200);
        _layer.OnMessage(ok, Peer);
        _time.Advance(TimeSpan.FromSeconds(1));
        _layer.OnMessage(ok, Peer);
        Assert.Equal([200, 200], responses);
        Assert.DoesNotContain(_transport.Sent, s => s.Message is SipRequest { Method: "ACK" });

        _time.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(0, _layer.ClientCount);
        _layer.OnMessage(ok, Peer);
        Assert.Single(_user.Stray);
    }

    [Fact]
    public void Non_invite_client_retransmits_on_timer_E_capped_at_T2_and_times_out_on_timer_F()
    {
        string? failure = null;
        _layer.SendRequest(NewRequest("OPTIONS"), Peer, _ => { }, f => failure = f);
        _time.Advance(TimeSpan.FromSeconds(33));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], SendTimes(m => m is SipRequest));
        Assert.Contains("Timer F", failure);
        Assert.Equal(0, _layer.ClientCount);
    }

    [Fact]
    public void Non_invite_client_in_proceeding_retransmits_every_T2_and_terminates_T4_after_final()
    {
        var req = NewRequest("BYE");
        var responses = new List<int>();
        _layer.SendRequest(req, Peer, r => responses.Add(r.StatusCode), _ => { });
        _time.Advance(TimeSpan.FromSeconds(0.2));
        _layer.OnMessage(ResponseTo(req, 100), Peer);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal([0, 0.5, 4.5, 8.5], SendTimes(m => m is SipRequest));

        _layer.OnMessage(ResponseTo(req, 200), Peer);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(1, _layer.ClientCount); // timer K = T4 = 5 s
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, _layer.ClientCount);
        Assert.Equal([100, 200], responses);
    }

    [Fact]
    public void Invite_server_sends_100_and_retransmits_error_on_timer_G_until_timer_H()
    {
        var invite = Incoming("INVITE");
        _layer.OnMessage(invite, Peer);
        var stx = Assert.IsType<InviteServerTransaction>(Assert.Single(_user.Requests));
        var ackTimedOut = false;
        stx.AckTimedOut = () => ackTimedOut = true;
        Assert.Equal(100, ((SipResponse)_transport.Sent[0].Message).StatusCode);

        stx.SendResponse(stx.CreateResponse(486));
        _time.Advance(TimeSpan.FromSeconds(40));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], SendTimes(m => m is SipResponse { StatusCode: 486 }));
        Assert.True(ackTimedOut);
        Assert.Equal(0, _layer.ServerCount);
    }

    [Fact]
    public void Invite_server_stops_G_on_ACK_and_absorbs_retransmissions_until_timer_I()
    {
        var invite = Incoming("INVITE");
        _layer.OnMessage(invite, Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(486));
        _time.Advance(TimeSpan.FromSeconds(1));
        _layer.OnMessage(Incoming("ACK", cseqMethod: "ACK"), Peer);
        Assert.Equal(SipTransactionState.Confirmed, stx.State);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal([0, 0.5], SendTimes(m => m is SipResponse { StatusCode: 486 }));
        Assert.Equal(1, _layer.ServerCount);
        _time.Advance(TimeSpan.FromSeconds(0.2)); // timer I = T4
        Assert.Equal(0, _layer.ServerCount);
        Assert.Empty(_user.Acks);
    }

    [Fact]
    public void Invite_server_answers_retransmitted_invite_with_last_provisional()
    {
        var invite = Incoming("INVITE");
        _layer.OnMessage(invite, Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(180));
        _layer.OnMessage(Incoming("INVITE"), Peer);
        Assert.Single(_user.Requests);
        Assert.Equal([100, 180, 180], _transport.Sent.Select(s => ((SipResponse)s.Message).StatusCode).ToArray());
    }

    [Fact]
    public void Invite_server_sends_2xx_once_and_terminates_on_timer_L()
    {
        _layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        _layer.OnMessage(Incoming("INVITE"), Peer); // absorbed in Accepted
        _time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Single(SendTimes(m => m is SipResponse { StatusCode: 200 }));
        Assert.Equal(1, _layer.ServerCount);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, _layer.ServerCount);
    }

    [Fact]
    public void Non_invite_server_resends_final_for_retransmissions_until_timer_J()
    {
        _layer.OnMessage(Incoming("BYE"), Peer);
        var stx = _user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        _time.Advance(TimeSpan.FromSeconds(10));
        _layer.OnMessage(Incoming("BYE"), Peer);
        Assert.Equal([0, 10], SendTimes(m => m is SipResponse { StatusCode: 200 }));
        Assert.Single(_user.Requests);
        _time.Advance(TimeSpan.FromSeconds(22.1)); // J = 64*T1 after the final response
        Assert.Equal(0, _layer.ServerCount);
        _layer.OnMessage(Incoming("BYE"), Peer);
        Assert.Equal(2, _user.Requests.Count);
    }

    [Fact]
    public void Cancel_matching_invite_server_transaction_gets_200_and_is_reported()
    {
        _layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        _layer.OnMessage(Incoming("CANCEL"), Peer);

        var cancelResponse = _transport.Sent.Select(s => s.Message).OfType<SipResponse>().Single(r => r.CSeq.Method == "CANCEL");
        Assert.Equal(200, cancelResponse.StatusCode);
        Assert.Same(stx, Assert.Single(_user.Cancels));
    }

    [Fact]
    public void Cancel_without_matching_invite_gets_481()
    {
        _layer.OnMessage(Incoming("CANCEL", branch: "z9hG4bKother"), Peer);
        var r = (SipResponse)Assert.Single(_transport.Sent).Message;
        Assert.Equal(481, r.StatusCode);
        Assert.Empty(_user.Cancels);
    }

    [Fact]
    public void Uas_retransmits_2xx_with_T1_doubling_capped_at_T2_and_gives_up_after_64_T1()
    {
        var invite = Incoming("INVITE");
        var ok = SipMessageFactory.CreateResponse(invite, 200, null, "t");
        var gaveUp = false;
        using var r = new SuccessResponseRetransmitter(_transport, _time, new InlineScheduler(), SipTimerSettings.Default, ok, () => gaveUp = true);
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal([0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], SendTimes(m => m is SipResponse));
        Assert.True(gaveUp);
    }

    [Fact]
    public void Timers_scale_with_configured_T1()
    {
        var layer = new SipTransactionLayer(_transport, new InlineScheduler(), _time, new SipTimerSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)));
        string? failure = null;
        layer.SendRequest(NewRequest("OPTIONS"), Peer, _ => { }, f => failure = f);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([0, 0.1, 0.3, 0.7], SendTimes(m => m is SipRequest).Select(t => Math.Round(t, 3)).ToArray());
        Assert.Null(failure);
        _time.Advance(TimeSpan.FromSeconds(5.5));
        Assert.NotNull(failure); // F = 64 * 100 ms
    }

    private static SipRequest Parse(string text)
    {
        var m = SipParser.Parse(Encoding.ASCII.GetBytes(text), out var error);
        Assert.Null(error);
        return (SipRequest)m!;
    }

    private static SipRequest Rfc2543(string method, string uri = "sip:bob@127.0.0.1:5099", string toTag = "", string cseqMethod = "") => Parse(
        $"{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:alice@127.0.0.1>;tag=old1\r\nTo: <sip:bob@127.0.0.1>{(toTag.Length > 0 ? ";tag=" + toTag : "")}\r\nCall-ID: 2543@test\r\nCSeq: 7 {(cseqMethod.Length > 0 ? cseqMethod : method)}\r\n" +
        "Content-Length: 0\r\n\r\n");

    private static SipRequest OverTcp(SipRequest request)
    {
        request.InsertHeader(0, "Via", "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKtcp1");
        return request;
    }

    private static SipRequest IncomingTcp(string method, string cseqMethod = "") =>
        Parse(Incoming(method, cseqMethod: cseqMethod).ToString().Replace("SIP/2.0/UDP", "SIP/2.0/TCP", StringComparison.Ordinal));

    [Fact]
    public void Timer_D_is_64_T1_when_that_exceeds_32_seconds()
    {
        var layer = new SipTransactionLayer(_transport, new InlineScheduler(), _time, new SipTimerSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5)));
        var req = NewRequest("INVITE");
        layer.SendRequest(req, Peer, _ => { }, _ => { });
        layer.OnMessage(ResponseTo(req, 503), Peer);
        _time.Advance(TimeSpan.FromSeconds(63.9));
        Assert.Equal(1, layer.ClientCount);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, layer.ClientCount);
    }

    [Fact]
    public void Reliable_invite_client_does_not_retransmit_and_timer_D_is_zero()
    {
        var req = OverTcp(NewRequest("INVITE"));
        string? failure = null;
        _layer.SendRequest(req, Peer, _ => { }, f => failure = f);
        _time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal([0], SendTimes(m => m is SipRequest { Method: "INVITE" }));
        Assert.Null(failure);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Contains("Timer B", failure); // B = 64*T1 on every transport

        var req2 = OverTcp(NewRequest("INVITE"));
        req2.SetHeader("Via", "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKtcp2");
        _layer.SendRequest(req2, Peer, _ => { }, _ => { });
        _layer.OnMessage(ResponseTo(req2, 486), Peer);
        Assert.Single(_transport.Sent, s => s.Message is SipRequest { Method: "ACK" });
        Assert.Equal(0, _layer.ClientCount); // timer D = 0
    }

    [Fact]
    public void Reliable_non_invite_client_does_not_retransmit_and_timer_K_is_zero()
    {
        var req = OverTcp(NewRequest("OPTIONS"));
        var responses = new List<int>();
        _layer.SendRequest(req, Peer, r => responses.Add(r.StatusCode), _ => { });
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal([0], SendTimes(m => m is SipRequest));
        _layer.OnMessage(ResponseTo(req, 200), Peer);
        Assert.Equal([200], responses);
        Assert.Equal(0, _layer.ClientCount);
    }

    [Fact]
    public void Reliable_invite_server_does_not_retransmit_error_and_timer_I_is_zero()
    {
        _layer.OnMessage(IncomingTcp("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(486));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([0], SendTimes(m => m is SipResponse { StatusCode: 486 }));
        _layer.OnMessage(IncomingTcp("ACK", cseqMethod: "ACK"), Peer);
        Assert.Equal(SipTransactionState.Terminated, stx.State);
        Assert.Equal(0, _layer.ServerCount);
    }

    [Fact]
    public void Reliable_non_invite_server_timer_J_is_zero()
    {
        _layer.OnMessage(IncomingTcp("BYE"), Peer);
        var stx = _user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        Assert.Equal(0, _layer.ServerCount);
    }

    [Fact]
    public void Invite_server_in_accepted_sends_2xx_retransmissions_from_the_TU_and_passes_ack_up()
    {
        _layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        var ok = stx.CreateResponse(200);
        stx.SendResponse(ok);
        Assert.Equal(SipTransactionState.Accepted, stx.State);
        stx.SendResponse(ok);
        Assert.Equal(2, SendTimes(m => m is SipResponse { StatusCode: 200 }).Length);
        var ack = Incoming("ACK", branch: "z9hG4bKack2", cseqMethod: "ACK");
        _layer.OnMessage(ack, Peer);
        Assert.Single(_user.Acks);
    }

    [Fact]
    public void Merged_request_with_same_from_tag_call_id_and_cseq_but_other_branch_gets_482()
    {
        _layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork1"), Peer);
        _layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork2"), Peer);
        Assert.Single(_user.Requests);
        var last = (SipResponse)_transport.Sent[^1].Message;
        Assert.Equal(482, last.StatusCode);
        Assert.Equal("z9hG4bKfork2", last.TopVia!.Branch);

        // A retransmission of the merged request is absorbed by its own transaction (482 again, not a new request).
        _layer.OnMessage(Incoming("INVITE", branch: "z9hG4bKfork2"), Peer);
        Assert.Single(_user.Requests);
        Assert.Equal(482, ((SipResponse)_transport.Sent[^1].Message).StatusCode);
    }

    [Fact]
    public void Request_with_same_call_id_and_cseq_after_the_first_transaction_ended_is_not_merged()
    {
        _layer.OnMessage(Incoming("OPTIONS", branch: "z9hG4bKo1"), Peer);
        _user.Requests[0].SendResponse(_user.Requests[0].CreateResponse(200));
        _time.Advance(TimeSpan.FromSeconds(33)); // timer J
        _layer.OnMessage(Incoming("OPTIONS", branch: "z9hG4bKo2"), Peer);
        Assert.Equal(2, _user.Requests.Count);
    }

    [Fact]
    public void Rfc2543_invite_retransmission_matches_its_transaction_and_ack_matches_by_our_to_tag()
    {
        _layer.OnMessage(Rfc2543("INVITE"), Peer);
        var stx = (InviteServerTransaction)Assert.Single(_user.Requests);
        _layer.OnMessage(Rfc2543("INVITE"), Peer);
        Assert.Single(_user.Requests);
        stx.SendResponse(stx.CreateResponse(486));

        // An ACK whose To tag is not ours does not match.
        _layer.OnMessage(Rfc2543("ACK", toTag: "someone-else", cseqMethod: "ACK"), Peer);
        Assert.Equal(SipTransactionState.Completed, stx.State);
        Assert.Single(_user.Acks);
        _layer.OnMessage(Rfc2543("ACK", toTag: stx.LocalTag, cseqMethod: "ACK"), Peer);
        Assert.Equal(SipTransactionState.Confirmed, stx.State);
        Assert.Single(_user.Acks);
    }

    [Fact]
    public void Rfc2543_request_with_another_request_uri_is_not_a_retransmission_but_a_merged_request()
    {
        _layer.OnMessage(Rfc2543("OPTIONS"), Peer);
        _layer.OnMessage(Rfc2543("OPTIONS", uri: "sip:carol@127.0.0.1:5099"), Peer);
        Assert.Single(_user.Requests);
        Assert.Equal(2, _layer.ServerCount);
        Assert.Equal(482, ((SipResponse)_transport.Sent[^1].Message).StatusCode);
    }

    [Fact]
    public void Rfc2543_cancel_matches_the_invite_by_request_uri_tags_call_id_cseq_and_via()
    {
        _layer.OnMessage(Rfc2543("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        _layer.OnMessage(Rfc2543("CANCEL", uri: "sip:carol@127.0.0.1:5099"), Peer);
        Assert.Empty(_user.Cancels);
        Assert.Equal(481, ((SipResponse)_transport.Sent[^1].Message).StatusCode);

        _layer.OnMessage(Rfc2543("CANCEL"), Peer);
        Assert.Same(stx, Assert.Single(_user.Cancels));
        Assert.Equal(200, ((SipResponse)_transport.Sent[^1].Message).StatusCode);
    }

    [Fact]
    public void Cancel_for_an_answered_invite_gets_200_but_is_not_reported()
    {
        _layer.OnMessage(Incoming("INVITE"), Peer);
        var stx = (InviteServerTransaction)_user.Requests[0];
        stx.SendResponse(stx.CreateResponse(200));
        _layer.OnMessage(Incoming("CANCEL"), Peer);
        Assert.Equal(200, ((SipResponse)_transport.Sent[^1].Message).StatusCode);
        Assert.Empty(_user.Cancels);
    }

    [Fact]
    public void Full_server_transaction_table_answers_503_with_retry_after_statelessly()
    {
        var layer = new SipTransactionLayer(_transport, new InlineScheduler(), _time, SipTimerSettings.Default) { User = _user, MaxServerTransactions = 10, OverloadRetryAfterSeconds = 7 };
        for (var i = 0; i < 20; i++)
        {
            var r = Incoming("OPTIONS", branch: "z9hG4bKflood" + i);
            r.SetHeader("Call-ID", "flood" + i);
            layer.OnMessage(r, Peer);
        }

        Assert.Equal(9, layer.ServerCount); // 10% kept for in-dialog requests and CANCEL
        var rejected = _transport.Sent.Select(s => s.Message).OfType<SipResponse>().Where(r => r.StatusCode == 503).ToArray();
        Assert.Equal(11, rejected.Length);
        Assert.Equal("7", rejected[0].GetHeader("Retry-After"));
        Assert.Equal(11, layer.RejectedOverload);
    }

    private sealed class RecordingUser : ISipTransactionUser
    {
        public List<SipServerTransaction> Requests { get; } = [];
        public List<SipRequest> Acks { get; } = [];
        public List<InviteServerTransaction> Cancels { get; } = [];
        public List<SipResponse> Stray { get; } = [];

        public void OnRequest(SipServerTransaction transaction) => Requests.Add(transaction);

        public void OnAck(SipRequest ack, IPEndPoint remote) => Acks.Add(ack);

        public void OnCancel(InviteServerTransaction invite, SipRequest cancel) => Cancels.Add(invite);

        public void OnStrayResponse(SipResponse response, IPEndPoint remote) => Stray.Add(response);
    }
}
