using System.Text;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Calls;

/// <summary>
/// REFER and NOTIFY sent in a call through <see cref="Call.ReferAsync"/> / <see cref="Call.NotifyAsync"/> go through
/// the digest challenge/retry logic: 401 on REFER, 407 on NOTIFY, stale nonces, wrong passwords.
/// </summary>
public sealed class InDialogRequestAuthTests
{
    private static async Task<(Endpoint Endpoint, Call Call)> CallPeerAsync(ChallengingPeer peer, string password = "pw")
    {
        var options = EndpointPair.Options("agent1") with { Credentials = new DigestCredentials("agent1", password) };
        var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();
        var call = await ep.CallAsync(peer.Uri).WaitAsync(EndpointPair.Wait);
        return (ep, call);
    }

    private static List<SipRequest> Sent(ChallengingPeer peer, string method) => peer.Requests.Where(r => r.Method == method).ToList();

    /// <summary>The retry carries an answer the peer's verifier accepted, for the Request-URI sent, nc=1 and a cnonce.</summary>
    private static void AssertAuthorizedRetry(ChallengingPeer peer, SipRequest first, SipRequest retry, string header)
    {
        Assert.Null(first.GetHeader(header));
        Assert.Equal(first.CSeq.Number + 1, retry.CSeq.Number);
        Assert.Equal(first.CallId, retry.CallId);
        Assert.NotEqual(first.TopVia!.Branch, retry.TopVia!.Branch);
        Assert.True(DigestAuthorization.TryParse(retry.GetHeader(header)!, out var a, out var error), error);
        Assert.Equal(retry.RequestUriText, a.Uri);
        Assert.Equal("agent1", a.Username);
        Assert.Equal("peer.test", a.Realm);
        Assert.Equal(DigestQop.Auth, a.Qop);
        Assert.Equal(1u, a.NonceCount);
        Assert.False(string.IsNullOrEmpty(a.Cnonce));
        var check = peer.Checks.Single(c => c.Request.TopVia!.Branch == retry.TopVia.Branch);
        Assert.True(check.Result.IsAuthenticated, check.Result.Reason);
    }

    [Fact]
    public async Task Refer_challenged_401_and_notify_challenged_407_are_resent_once_with_credentials_and_a_higher_cseq()
    {
        await using var peer = new ChallengingPeer();
        var (ep, call) = await CallPeerAsync(peer);
        await using var endpoint = ep;
        var notes = new List<ReferNotification>();
        var done = new TaskCompletionSource<ReferNotification>(TaskCreationOptions.RunContinuationsAsynchronously);
        call.ReferNotified += (_, n) =>
        {
            lock (notes) notes.Add(n);
            if (n.IsFinal) done.TrySetResult(n);
        };

        var accepted = await call.ReferAsync(SipUri.Parse("sip:carol@127.0.0.1:5099"), SipUri.Parse("sip:agent1@127.0.0.1")).WaitAsync(EndpointPair.Wait);
        Assert.Equal(202, accepted.StatusCode);
        var final = await done.Task.WaitAsync(EndpointPair.Wait);
        Assert.Equal(200, final.StatusCode);
        Assert.Equal("terminated", final.SubscriptionState);
        Assert.Equal("noresource", final.TerminationReason);
        Assert.True(final.IsSuccess);

        var notified = await call.NotifyAsync("refer;id=1", "terminated;reason=noresource", "message/sipfrag;version=2.0", Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\n")).WaitAsync(EndpointPair.Wait);
        Assert.Equal(200, notified.StatusCode);
        Assert.Equal(CallState.Established, call.State);

        var refers = Sent(peer, "REFER");
        Assert.Equal(2, refers.Count);
        AssertAuthorizedRetry(peer, refers[0], refers[1], "Authorization");
        Assert.Equal("<sip:carol@127.0.0.1:5099>", refers[1].GetHeader("Refer-To"));
        Assert.Equal("<sip:agent1@127.0.0.1>", refers[1].GetHeader("Referred-By"));
        Assert.NotNull(refers[1].GetHeader("Contact"));
        Assert.Equal(refers[1].CSeq.Number, accepted.CSeq);

        var notifies = Sent(peer, "NOTIFY");
        Assert.Equal(2, notifies.Count);
        AssertAuthorizedRetry(peer, notifies[0], notifies[1], "Proxy-Authorization");
        Assert.True(notifies[0].CSeq.Number > refers[1].CSeq.Number);
        Assert.Equal("refer;id=1", notifies[1].GetHeader("Event"));
        Assert.Equal("message/sipfrag;version=2.0", notifies[1].ContentType + ";version=2.0");
        Assert.Equal("SIP/2.0 200 OK\r\n", Encoding.ASCII.GetString(notifies[1].Body));

        // The peer's two NOTIFYs (100 Trying, 200 OK) were answered 200 and surfaced in order.
        await EndpointPair.WaitUntil(() => peer.Responses.Count(r => r.CSeq.Method == "NOTIFY") == 2, "200s to the peer's NOTIFYs");
        Assert.All(peer.Responses, r => Assert.Equal(200, r.StatusCode));
        lock (notes)
        {
            Assert.Equal([100, 200], notes.Select(n => n.StatusCode ?? 0));
            Assert.Equal("active", notes[0].SubscriptionState);
            Assert.Equal(refers[1].CSeq.Number, notes[0].ReferCSeq);
        }

        await call.HangupAsync().WaitAsync(EndpointPair.Wait);
        var bye = Sent(peer, "BYE").Single();
        Assert.True(bye.CSeq.Number > notifies[1].CSeq.Number, "the BYE's CSeq must be above the authenticated NOTIFY's");
    }

    [Fact]
    public async Task Wrong_password_returns_the_final_401_and_407_once_and_the_call_stays_up()
    {
        await using var peer = new ChallengingPeer(password: "right");
        var (ep, call) = await CallPeerAsync(peer, password: "wrong");
        await using var endpoint = ep;

        var refer = await Assert.ThrowsAsync<SipRequestFailedException>(() => call.ReferAsync(SipUri.Parse("sip:carol@127.0.0.1")).WaitAsync(EndpointPair.Wait));
        Assert.Equal(401, refer.StatusCode);
        Assert.Contains("credentials rejected for realm 'peer.test'", refer.Message, StringComparison.Ordinal);
        Assert.Equal("credentials rejected for realm 'peer.test'", refer.Result.AuthenticationError);

        var notify = await call.SendRequestAsync("NOTIFY", [("Event", "refer"), ("Subscription-State", "active")]).WaitAsync(EndpointPair.Wait);
        Assert.Equal(407, notify.StatusCode);
        Assert.NotNull(notify.AuthenticationError);
        Assert.NotNull(notify.GetHeader("Proxy-Authenticate"));

        Assert.Equal(2, Sent(peer, "REFER").Count); // tried once with credentials, then gave up
        Assert.Equal(2, Sent(peer, "NOTIFY").Count);
        Assert.All(peer.Checks.Where(c => c.Request.GetHeader("Authorization") is not null || c.Request.GetHeader("Proxy-Authorization") is not null),
            c => Assert.Equal(DigestVerificationStatus.WrongResponse, c.Result.Status));
        Assert.Equal(CallState.Established, call.State);
        await call.HangupAsync().WaitAsync(EndpointPair.Wait);
        Assert.Equal(CallEndKind.LocalHangup, call.EndReason!.Kind);
    }

    [Fact]
    public async Task Stale_challenge_with_a_fresh_nonce_gets_one_more_retry()
    {
        await using var peer = new ChallengingPeer(stale: StaleMode.FreshNonce, sendNotifies: false);
        var (ep, call) = await CallPeerAsync(peer);
        await using var endpoint = ep;

        var accepted = await call.ReferAsync(SipUri.Parse("sip:carol@127.0.0.1")).WaitAsync(EndpointPair.Wait);
        Assert.Equal(202, accepted.StatusCode);
        var refers = Sent(peer, "REFER");
        Assert.Equal(3, refers.Count);
        Assert.Equal([refers[0].CSeq.Number + 1, refers[0].CSeq.Number + 2], refers.Skip(1).Select(r => r.CSeq.Number));
        DigestAuthorization.TryParse(refers[1].GetHeader("Authorization")!, out var first, out _);
        DigestAuthorization.TryParse(refers[2].GetHeader("Authorization")!, out var second, out _);
        Assert.NotEqual(first!.Nonce, second!.Nonce);
        Assert.True(peer.Checks.Last().Result.IsAuthenticated);

        var notified = await call.NotifyAsync("refer", "active", null, default).WaitAsync(EndpointPair.Wait);
        Assert.Equal(200, notified.StatusCode);
        Assert.Equal(3, Sent(peer, "NOTIFY").Count);
    }

    [Fact]
    public async Task Stale_challenge_repeating_the_answered_nonce_is_final()
    {
        await using var peer = new ChallengingPeer(stale: StaleMode.SameNonce, sendNotifies: false);
        var (ep, call) = await CallPeerAsync(peer);
        await using var endpoint = ep;

        var result = await call.SendRequestAsync("REFER", [("Refer-To", "<sip:carol@127.0.0.1>")]).WaitAsync(EndpointPair.Wait);
        Assert.Equal(401, result.StatusCode);
        Assert.NotNull(result.AuthenticationError);
        Assert.Equal(2, Sent(peer, "REFER").Count);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task Incoming_refer_is_answered_405_with_allow_and_the_call_stays_up()
    {
        await using var peer = new ChallengingPeer();
        var (ep, call) = await CallPeerAsync(peer);
        await using var endpoint = ep;

        await peer.SendInDialogAsync("REFER", ("Refer-To", "<sip:carol@127.0.0.1>"), ("Contact", $"<{peer.Uri}>"));
        await EndpointPair.WaitUntil(() => peer.Responses.Any(r => r.CSeq.Method == "REFER"), "an answer to the REFER");
        var answer = peer.Responses.Single(r => r.CSeq.Method == "REFER");
        Assert.Equal(405, answer.StatusCode);
        var allow = answer.GetHeader("Allow");
        Assert.NotNull(allow);
        Assert.DoesNotContain("REFER", allow, StringComparison.Ordinal);
        Assert.Contains("NOTIFY", allow, StringComparison.Ordinal);

        // A NOTIFY for a subscription we never made is refused, not surfaced.
        var surfaced = false;
        call.ReferNotified += (_, _) => surfaced = true;
        await peer.SendInDialogAsync("NOTIFY", ("Event", "refer;id=77"), ("Subscription-State", "active"));
        await EndpointPair.WaitUntil(() => peer.Responses.Any(r => r.CSeq.Method == "NOTIFY"), "an answer to the NOTIFY");
        Assert.Equal(481, peer.Responses.Single(r => r.CSeq.Method == "NOTIFY").StatusCode);
        Assert.False(surfaced);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task Bad_requests_from_the_api_throw_naming_the_problem()
    {
        await using var peer = new ChallengingPeer();
        var (ep, call) = await CallPeerAsync(peer);
        await using var endpoint = ep;

        var bye = await Assert.ThrowsAsync<ArgumentException>(() => call.SendRequestAsync("BYE"));
        Assert.Contains("HangupAsync", bye.Message, StringComparison.Ordinal);
        var cseq = await Assert.ThrowsAsync<ArgumentException>(() => call.SendRequestAsync("INFO", [("CSeq", "1 INFO")]));
        Assert.Contains("CSeq", cseq.Message, StringComparison.Ordinal);
        var crlf = await Assert.ThrowsAsync<ArgumentException>(() => call.SendRequestAsync("INFO", [("X-A", "a\r\nVia: x")]));
        Assert.Contains("line breaks", crlf.Message, StringComparison.Ordinal);
        var noType = await Assert.ThrowsAsync<ArgumentException>(() => call.SendRequestAsync("INFO", null, null, new byte[] { 1 }));
        Assert.Contains("content type", noType.Message, StringComparison.Ordinal);

        await call.HangupAsync().WaitAsync(EndpointPair.Wait);
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.SendRequestAsync("INFO"));
    }
}
