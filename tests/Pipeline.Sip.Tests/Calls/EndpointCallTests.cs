using System.Net;
using System.Text;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Sdp;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Calls;

public sealed class EndpointCallTests
{
    private static readonly TimeSpan Wait = EndpointPair.Wait;

    [Fact]
    public async Task Call_is_established_with_negotiated_codec_and_remote_rtp_from_sdp()
    {
        await using var pair = await EndpointPair.StartAsync(
            EndpointPair.Options("alice", codecs: ["PCMA", "PCMU"]),
            EndpointPair.Options("bob", autoAnswer: true, codecs: ["PCMU", "G722"]));
        var incoming = EndpointPair.NextIncoming(pair.Bob);

        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        await EndpointPair.WaitUntil(() => bobCall.State == CallState.Established, "callee established");

        Assert.Equal(CallState.Established, call.State);
        Assert.Equal(CallDirection.Outgoing, call.Direction);
        Assert.Equal(CallDirection.Incoming, bobCall.Direction);
        Assert.Equal(call.CallId, bobCall.CallId);

        var aliceSession = pair.AliceMedia.For(call.CallId);
        var bobSession = pair.BobMedia.For(call.CallId);
        var aliceMedia = Assert.Single(aliceSession.Applied);
        var bobMedia = Assert.Single(bobSession.Applied);

        // Answerer keeps the offerer's order restricted to what it supports: PCMU is the only common codec.
        Assert.Equal("PCMU", aliceMedia.Codec.Name);
        Assert.Equal(0, aliceMedia.Codec.PayloadType);
        Assert.Equal("PCMU", bobMedia.Codec.Name);
        Assert.Equal(bobSession.LocalRtpEndPoint, aliceMedia.RemoteRtp);
        Assert.Equal(aliceSession.LocalRtpEndPoint, bobMedia.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, aliceSession.LocalRtpEndPoint.Port + 1), bobMedia.RemoteRtcp);
        Assert.Equal(MediaDirection.SendRecv, aliceMedia.Direction);
        Assert.Equal(MediaDirection.SendRecv, bobMedia.Direction);
        Assert.Equal(TimeSpan.FromMilliseconds(20), aliceMedia.PacketTime);
        Assert.Same(aliceMedia, call.CurrentMedia);
    }

    [Fact]
    public async Task Caller_hangup_sends_bye_and_both_sides_end_and_dispose_media_once()
    {
        await using var pair = await EndpointPair.StartAsync();
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        await EndpointPair.WaitUntil(() => bobCall.State == CallState.Established, "callee established");

        await call.HangupAsync().WaitAsync(Wait);
        await bobCall.Completion.WaitAsync(Wait);

        Assert.Equal(CallEndKind.LocalHangup, call.EndReason!.Kind);
        Assert.Equal(CallEndKind.RemoteHangup, bobCall.EndReason!.Kind);
        Assert.Equal(1, pair.AliceMedia.For(call.CallId).DisposeCount);
        Assert.Equal(1, pair.BobMedia.For(call.CallId).DisposeCount);
        Assert.Empty(pair.Alice.Calls);
        Assert.Empty(pair.Bob.Calls);
    }

    [Fact]
    public async Task Callee_hangup_ends_the_call_on_both_sides()
    {
        await using var pair = await EndpointPair.StartAsync();
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        await EndpointPair.WaitUntil(() => bobCall.State == CallState.Established, "callee established");
        var ended = new TaskCompletionSource<CallEndReason>();
        call.Ended += (_, r) => ended.TrySetResult(r);

        await bobCall.HangupAsync().WaitAsync(Wait);
        var reason = await ended.Task.WaitAsync(Wait);

        Assert.Equal(CallEndKind.RemoteHangup, reason.Kind);
        Assert.Equal(CallEndKind.LocalHangup, bobCall.EndReason!.Kind);
        await call.Completion.WaitAsync(Wait);
        Assert.Equal(1, pair.AliceMedia.For(call.CallId).DisposeCount);
    }

    [Fact]
    public async Task Reject_makes_CallAsync_throw_CallFailedException_with_486()
    {
        await using var pair = await EndpointPair.StartAsync(bob: EndpointPair.Options("bob"));
        pair.Bob.IncomingCall += (_, c) => _ = c.RejectAsync(486);

        var ex = await Assert.ThrowsAsync<CallFailedException>(() => pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait));

        Assert.Equal(486, ex.StatusCode);
        Assert.Equal("Busy Here", ex.ReasonPhrase);
        await EndpointPair.WaitUntil(() => pair.Alice.Calls.Count == 0 && pair.Bob.Calls.Count == 0, "calls removed");
        var aliceSession = Assert.Single(pair.AliceMedia.Sessions);
        await EndpointPair.WaitUntil(() => aliceSession.DisposeCount == 1, "caller media disposed");
    }

    [Fact]
    public async Task Cancelling_CallAsync_sends_CANCEL_and_callee_answers_487()
    {
        await using var pair = await EndpointPair.StartAsync(bob: EndpointPair.Options("bob"));
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        using var cts = new CancellationTokenSource();
        var calling = pair.Alice.CallAsync(pair.BobUri, cts.Token);
        var bobCall = await incoming;
        Assert.Equal(CallState.Incoming, bobCall.State);
        var aliceCall = Assert.Single(pair.Alice.Calls);
        await EndpointPair.WaitUntil(() => aliceCall.State == CallState.Ringing, "caller sees ringing");

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calling.WaitAsync(Wait));
        await bobCall.Completion.WaitAsync(Wait);
        await aliceCall.Completion.WaitAsync(Wait);
        Assert.Equal(CallEndKind.Cancelled, bobCall.EndReason!.Kind);
        Assert.Equal(CallEndKind.Cancelled, aliceCall.EndReason!.Kind);
        Assert.Equal(1, pair.BobMedia.For(bobCall.CallId).DisposeCount);
    }

    [Fact]
    public async Task Manual_answer_waits_for_AnswerAsync_after_ringing()
    {
        await using var pair = await EndpointPair.StartAsync(bob: EndpointPair.Options("bob"));
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        var calling = pair.Alice.CallAsync(pair.BobUri);
        var bobCall = await incoming;
        await Task.Delay(300);
        Assert.False(calling.IsCompleted);
        Assert.Equal(CallState.Ringing, Assert.Single(pair.Alice.Calls).State);

        await bobCall.AnswerAsync().WaitAsync(Wait);
        var call = await calling.WaitAsync(Wait);

        Assert.Equal(CallState.Established, call.State);
        Assert.Equal(CallState.Established, bobCall.State);
    }

    [Fact]
    public async Task Reinvite_sendonly_raises_MediaChanged_with_RecvOnly_on_the_receiving_side()
    {
        await using var pair = await EndpointPair.StartAsync();
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        await EndpointPair.WaitUntil(() => bobCall.State == CallState.Established, "callee established");
        var changed = new TaskCompletionSource<NegotiatedMedia>();
        bobCall.MediaChanged += (_, m) => changed.TrySetResult(m);

        await call.HoldAsync().WaitAsync(Wait);
        var bobMedia = await changed.Task.WaitAsync(Wait);

        Assert.Equal(MediaDirection.RecvOnly, bobMedia.Direction);
        Assert.False(bobMedia.CanSend);
        Assert.Equal(MediaDirection.SendOnly, call.CurrentMedia!.Direction);
        Assert.Equal(2, pair.BobMedia.For(call.CallId).Applied.Count);
        Assert.Equal(2, pair.AliceMedia.For(call.CallId).Applied.Count);

        await call.ResumeAsync().WaitAsync(Wait);
        await EndpointPair.WaitUntil(() => pair.BobMedia.For(call.CallId).Applied.Count == 3, "resume applied");
        Assert.Equal(MediaDirection.SendRecv, pair.BobMedia.For(call.CallId).Applied[2].Direction);
    }

    [Fact]
    public async Task No_common_codec_is_rejected_with_488_and_warning()
    {
        await using var pair = await EndpointPair.StartAsync(
            EndpointPair.Options("alice", codecs: ["PCMA"]),
            EndpointPair.Options("bob", autoAnswer: true, codecs: ["PCMU"]));

        var ex = await Assert.ThrowsAsync<CallFailedException>(() => pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait));

        Assert.Equal(488, ex.StatusCode);
        Assert.Contains("codec", ex.ReasonPhrase, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Call_to_nobody_fails_with_408_after_timer_B()
    {
        var fast = EndpointPair.Options("alice") with { T1 = TimeSpan.FromMilliseconds(10), T2 = TimeSpan.FromMilliseconds(40) };
        await using var pair = await EndpointPair.StartAsync(alice: fast);
        using var silent = new RawSipClient();

        var ex = await Assert.ThrowsAsync<CallFailedException>(() => pair.Alice.CallAsync($"sip:x@127.0.0.1:{silent.Port}").WaitAsync(Wait));

        Assert.Equal(408, ex.StatusCode);
    }

    [Fact]
    public async Task Stop_hangs_up_established_calls()
    {
        var pair = await EndpointPair.StartAsync();
        var incoming = EndpointPair.NextIncoming(pair.Bob);
        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        await EndpointPair.WaitUntil(() => bobCall.State == CallState.Established, "callee established");

        await pair.Alice.StopAsync().WaitAsync(Wait);
        await bobCall.Completion.WaitAsync(Wait);

        Assert.Equal(CallEndKind.RemoteHangup, bobCall.EndReason!.Kind);
        Assert.Equal(CallState.Ended, call.State);
        Assert.Equal(1, pair.AliceMedia.For(call.CallId).DisposeCount);
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Invite_without_sdp_gets_offer_in_200_and_answer_from_ack_is_applied()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        var invite =
            $"INVITE sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bKdelayed1\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:raw@127.0.0.1>;tag=rawtag\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: delayed-offer-1\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <sip:raw@127.0.0.1:{raw.Port}>\r\nContent-Length: 0\r\n\r\n";
        raw.Send(bob, invite);

        var ok = await raw.FinalResponseAsync(Wait);
        Assert.NotNull(ok);
        Assert.Equal(200, ok!.StatusCode);
        Assert.Equal("application/sdp", ok.ContentType);
        Assert.True(SdpSessionDescription.TryParse(ok.Body, out var offer, out _));
        Assert.Contains("0", offer!.Media[0].Formats);
        Assert.Empty(pair.BobMedia.For("delayed-offer-1").Applied);

        var answer = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";
        var ack =
            $"ACK sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bKdelayedack\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:raw@127.0.0.1>;tag=rawtag\r\nTo: {ok.GetHeader("To")}\r\nCall-ID: delayed-offer-1\r\nCSeq: 1 ACK\r\n" +
            $"Content-Type: application/sdp\r\nContent-Length: {answer.Length}\r\n\r\n{answer}";
        raw.Send(bob, ack);

        var session = pair.BobMedia.For("delayed-offer-1");
        await EndpointPair.WaitUntil(() => session.Applied.Count == 1, "answer from ACK applied");
        Assert.Equal("PCMA", session.Applied[0].Codec.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 40000), session.Applied[0].RemoteRtp);
        var call = Assert.Single(pair.Bob.Calls);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task Options_gets_200_with_allow_accept_and_supported()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        raw.Send(pair.Bob.LocalEndPoint, raw.Options());

        var r = await raw.FinalResponseAsync(Wait);

        Assert.Equal(200, r!.StatusCode);
        Assert.Contains("INVITE", r.GetHeader("Allow"));
        Assert.Equal("application/sdp", r.GetHeader("Accept"));
        Assert.NotNull(r.GetHeader("Supported"));
        Assert.NotNull(r.To.Tag);
    }

    [Fact]
    public async Task Malformed_datagrams_are_answered_400_or_dropped_and_the_endpoint_keeps_working()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;

        raw.Send(bob, [0x00, 0xff, 0x13, 0x37, 0x42]);
        raw.Send(bob, "hello world\r\n\r\n");
        Assert.Null(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(300)));

        // Truncated: Content-Length larger than what arrived.
        var truncated = raw.Options(branch: "z9hG4bKtrunc").Replace("Content-Length: 0", "Content-Length: 500", StringComparison.Ordinal);
        raw.Send(bob, truncated);
        var r1 = await raw.FinalResponseAsync(Wait);
        Assert.Equal(400, r1!.StatusCode);
        Assert.Contains("Content-Length", r1.ReasonPhrase);

        // Missing Call-ID: 400 naming the header (RFC 4475 insuf).
        var noCallId = raw.Options(branch: "z9hG4bKnocid").Replace("Call-ID: opt-1\r\n", "", StringComparison.Ordinal);
        raw.Send(bob, noCallId);
        var r3 = await raw.FinalResponseAsync(Wait);
        Assert.Equal(400, r3!.StatusCode);
        Assert.Contains("Call-ID", r3.ReasonPhrase);

        // Neither Via nor CSeq: nothing to answer -> dropped.
        raw.Send(bob, "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nTo: <sip:bob@127.0.0.1>\r\n\r\n");
        Assert.Null(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(300)));

        raw.Send(bob, raw.Options(branch: "z9hG4bKafter"));
        var r2 = await raw.FinalResponseAsync(Wait);
        Assert.Equal(200, r2!.StatusCode);
    }

    [Fact]
    public async Task In_dialog_request_for_unknown_dialog_gets_481()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bye =
            $"BYE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bKbye481\r\nMax-Forwards: 70\r\n" +
            "From: <sip:raw@127.0.0.1>;tag=x1\r\nTo: <sip:bob@127.0.0.1>;tag=nosuch\r\nCall-ID: none-1\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n";
        raw.Send(pair.Bob.LocalEndPoint, bye);

        var r = await raw.FinalResponseAsync(Wait);
        Assert.Equal(481, r!.StatusCode);
    }

    [Fact]
    public async Task Incoming_call_answer_sends_200_with_our_contact()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        var sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendonly\r\n";
        var invite =
            $"INVITE sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bKhold1\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:raw@127.0.0.1>;tag=rawtag\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: hold-offer-1\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <sip:raw@127.0.0.1:{raw.Port}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
        raw.Send(bob, invite);

        var ok = await raw.FinalResponseAsync(Wait);
        Assert.Equal(200, ok!.StatusCode);
        Assert.Equal($"sip:bob@127.0.0.1:{bob.Port}", ok.Contacts[0].Uri!.ToString());
        Assert.True(SdpSessionDescription.TryParse(ok.Body, out var answer, out _));
        Assert.Equal(["8", "0"], answer!.Media[0].Formats);
        Assert.True(answer.Media[0].HasFlag("recvonly"));
        var session = pair.BobMedia.For("hold-offer-1");
        await EndpointPair.WaitUntil(() => session.Applied.Count == 1, "media applied");
        Assert.Equal(MediaDirection.RecvOnly, session.Applied[0].Direction);
        Assert.Equal("PCMA", session.Applied[0].Codec.Name);
    }

    [Fact]
    public async Task Rfc2543_invite_without_branch_tag_or_contact_is_answered_and_its_ack_completes_the_call()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        var sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\n";
        var via = $"Via: SIP/2.0/UDP 127.0.0.1:{raw.Port}\r\n";
        raw.Send(bob, $"INVITE sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\n{via}From: <sip:old@127.0.0.1:{raw.Port}>\r\nTo: sip:bob@127.0.0.1\r\n" +
                      $"Call-ID: old-2543\r\nCSeq: 56 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");

        var ok = await raw.FinalResponseAsync(Wait);
        Assert.Equal(200, ok!.StatusCode);
        raw.Send(bob, $"ACK sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\n{via}From: <sip:old@127.0.0.1:{raw.Port}>\r\nTo: {ok.GetHeader("To")}\r\n" +
                      "Call-ID: old-2543\r\nCSeq: 56 ACK\r\nContent-Length: 0\r\n\r\n");

        var call = Assert.Single(pair.Bob.Calls);
        await EndpointPair.WaitUntil(() => call.State == CallState.Established, "established after 2543 ACK");
        Assert.Null(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(400))); // no 2xx retransmissions after the ACK
    }

    [Fact]
    public async Task Unacknowledged_2xx_is_retransmitted_then_abandoned_with_bye_after_64_T1()
    {
        var options = EndpointPair.Options("bob", autoAnswer: true) with { T1 = TimeSpan.FromMilliseconds(20), T2 = TimeSpan.FromMilliseconds(80) };
        await using var pair = await EndpointPair.StartAsync(bob: options);
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        var sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\n";
        raw.Send(bob, $"INVITE sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bKnoack\r\n" +
                      $"From: <sip:raw@127.0.0.1>;tag=r\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: no-ack-1\r\nCSeq: 1 INVITE\r\nContact: <sip:raw@127.0.0.1:{raw.Port}>\r\n" +
                      $"Content-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");

        var oks = 0;
        SipRequest? bye = null;
        var deadline = DateTime.UtcNow + Wait;
        while (bye is null && DateTime.UtcNow < deadline)
        {
            switch (await raw.ReceiveAsync(TimeSpan.FromSeconds(3)))
            {
                case SipResponse { StatusCode: 200 }:
                    oks++;
                    break;
                case SipRequest { Method: "BYE" } r:
                    bye = r;
                    break;
            }
        }

        // 64*T1 = 1.28 s with retransmits at 20, 60, 140, 220 ms ... (T1 doubling, capped at T2 = 80 ms).
        Assert.NotNull(bye);
        Assert.InRange(oks, 4, 25); // exact schedule: see TransactionTimerTests (virtual time); real timers drift under load
        Assert.Equal("no-ack-1", bye!.CallId);
        Assert.Equal("r", bye.To.Tag);
    }

    [Fact]
    public async Task Endpoint_can_call_itself_and_hang_up()
    {
        var factory = new FakeMediaFactory();
        await using var ep = new Endpoint(EndpointPair.Options("loop", autoAnswer: true), factory);
        await ep.StartAsync();
        var incoming = EndpointPair.NextIncoming(ep);

        var call = await ep.CallAsync(ep.LocalUri.ToString()).WaitAsync(Wait);
        var other = await incoming;
        await EndpointPair.WaitUntil(() => other.State == CallState.Established, "callee leg established");
        Assert.Equal(2, ep.Calls.Count);

        await call.HangupAsync().WaitAsync(Wait);
        await other.Completion.WaitAsync(Wait);
        Assert.Empty(ep.Calls);
        Assert.All(factory.Sessions, s => Assert.Equal(1, s.DisposeCount));
    }

    [Fact]
    public async Task Incoming_reinvite_without_sdp_gets_offer_in_200_and_answer_in_ack_is_applied()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        string Sdp(string dir) => $"v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 43000 RTP/AVP 0\r\na={dir}\r\n";
        string Request(string method, int cseq, string branch, string to, string body = "") =>
            $"{method} sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch={branch}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:raw@127.0.0.1>;tag=3pcc\r\nTo: {to}\r\nCall-ID: reinvite-1\r\nCSeq: {cseq} {method}\r\nContact: <sip:raw@127.0.0.1:{raw.Port}>\r\n" +
            (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n{body}";

        raw.Send(bob, Request("INVITE", 1, "z9hG4bKri1", "<sip:bob@127.0.0.1>", Sdp("sendrecv")));
        var ok = await raw.FinalResponseAsync(Wait);
        Assert.Equal(200, ok!.StatusCode);
        var to = ok.GetHeader("To")!;
        raw.Send(bob, Request("ACK", 1, "z9hG4bKri1ack", to));
        var call = Assert.Single(pair.Bob.Calls);
        await EndpointPair.WaitUntil(() => call.State == CallState.Established, "established");
        var changed = new TaskCompletionSource<NegotiatedMedia>();
        call.MediaChanged += (_, m) =>
        {
            if (m.Direction != MediaDirection.SendRecv)
            {
                changed.TrySetResult(m);
            }
        };

        raw.Send(bob, Request("INVITE", 2, "z9hG4bKri2", to));
        var ok2 = await raw.FinalResponseAsync(Wait);
        Assert.Equal(200, ok2!.StatusCode);
        Assert.True(SdpSessionDescription.TryParse(ok2.Body, out var offer, out _));
        Assert.True(offer!.Media[0].HasFlag("sendrecv"));
        var firstOffer = pair.BobMedia.For("reinvite-1");
        Assert.Single(firstOffer.Applied);

        raw.Send(bob, Request("ACK", 2, "z9hG4bKri2ack", to, Sdp("sendonly")));
        var media = await changed.Task.WaitAsync(Wait);

        Assert.Equal(MediaDirection.RecvOnly, media.Direction);
        Assert.Equal(2, firstOffer.Applied.Count);
        Assert.True(SdpSessionDescription.TryParse(ok.Body, out var firstAnswer, out _));
        Assert.Equal(firstAnswer!.SessionId, offer.SessionId);
        Assert.Equal(firstAnswer.SessionVersion + 1, offer.SessionVersion);
    }

    [Fact]
    public async Task Offer_without_common_codec_gets_488_with_warning_305_before_ringing()
    {
        await using var pair = await EndpointPair.StartAsync();
        using var raw = new RawSipClient();
        var bob = pair.Bob.LocalEndPoint;
        var sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 44000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
        raw.Send(bob, $"INVITE sip:bob@127.0.0.1:{bob.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{raw.Port};branch=z9hG4bK488\r\nMax-Forwards: 70\r\n" +
                      $"From: <sip:raw@127.0.0.1>;tag=r\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: no-codec-1\r\nCSeq: 1 INVITE\r\nContact: <sip:raw@127.0.0.1:{raw.Port}>\r\n" +
                      $"Content-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");

        var r = await raw.FinalResponseAsync(Wait);

        Assert.Equal(488, r!.StatusCode);
        Assert.Contains("codec", r.ReasonPhrase, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("305 ", r.GetHeader("Warning"));
        Assert.Empty(pair.Bob.Calls);
        Assert.Empty(pair.BobMedia.Sessions);
    }
}
