using System.Net;
using System.Text;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Dialogs;

/// <summary>
/// §14 re-INVITE rules against a hand-driven peer (a raw UDP socket), with the endpoint's SIP timers on a virtual clock
/// so that the randomized glare waits can be checked exactly.
/// </summary>
public sealed class ReinviteGlareTests : IAsyncDisposable
{
    private const string Sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly ManualTimeProvider _time = new();
    private readonly RawSipClient _raw = new();
    private readonly Endpoint _endpoint;
    private int _cseq = 1;
    private string _localTag = "raw1";
    private string _remoteTag = "";
    private string _callId = "glare-1";

    public ReinviteGlareTests()
    {
        _endpoint = new Endpoint(EndpointPair.Options("ep", autoAnswer: true) with { TimeProvider = _time }, new FakeMediaFactory());
    }

    private IPEndPoint Ep => _endpoint.LocalEndPoint;

    private string Request(string method, int cseq, string branch, bool sdp = true, string? toTag = null) =>
        $"{method} sip:ep@127.0.0.1:{Ep.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{_raw.Port};branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:raw@127.0.0.1>;tag={_localTag}\r\nTo: <sip:ep@127.0.0.1>{((toTag ?? _remoteTag).Length > 0 ? ";tag=" + (toTag ?? _remoteTag) : "")}\r\n" +
        $"Call-ID: {_callId}\r\nCSeq: {cseq} {method}\r\nContact: <sip:raw@127.0.0.1:{_raw.Port}>\r\n" +
        (sdp ? $"Content-Type: application/sdp\r\nContent-Length: {Sdp.Length}\r\n\r\n{Sdp}" : "Content-Length: 0\r\n\r\n");

    private async Task<SipRequest> NextRequest(string method)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await _raw.ReceiveAsync(deadline - DateTime.UtcNow) is SipRequest r && r.Method == method)
            {
                return r;
            }
        }

        throw new TimeoutException("no " + method + " from the endpoint");
    }

    private async Task<SipResponse> FinalFor(string method, int cseq)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await _raw.ReceiveAsync(deadline - DateTime.UtcNow) is SipResponse { IsProvisional: false } r && r.CSeq.Method == method && r.CSeq.Number == cseq)
            {
                return r;
            }
        }

        throw new TimeoutException($"no final response to {method} {cseq}");
    }

    private async Task<bool> NoRequestWithin(string method, TimeSpan window)
    {
        var deadline = DateTime.UtcNow + window;
        while (DateTime.UtcNow < deadline)
        {
            if (await _raw.ReceiveAsync(deadline - DateTime.UtcNow) is SipRequest r && r.Method == method)
            {
                return false;
            }
        }

        return true;
    }

    private void Answer(SipRequest request, int status, bool sdp = false)
    {
        var r = SipMessageFactory.CreateResponse(request, status, null, _localTag);
        r.AddHeader("Contact", $"<sip:raw@127.0.0.1:{_raw.Port}>");
        if (sdp)
        {
            r.AddHeader("Content-Type", "application/sdp");
            r.Body = Encoding.ASCII.GetBytes(Sdp);
        }

        _raw.Send(Ep, SipWriter.Write(r));
    }

    private void Ack(int cseq, string branch) => _raw.Send(Ep, Request("ACK", cseq, branch, sdp: false));

    /// <summary>The raw peer calls the endpoint (auto-answer): the peer owns the Call-ID.</summary>
    private async Task<Call> IncomingCallAsync()
    {
        await _endpoint.StartAsync();
        var incoming = EndpointPair.NextIncoming(_endpoint);
        _raw.Send(Ep, Request("INVITE", _cseq, "z9hG4bKinv1"));
        var ok = await FinalFor("INVITE", _cseq);
        Assert.Equal(200, ok.StatusCode);
        _remoteTag = ok.To.Tag!;
        Ack(_cseq, "z9hG4bKack1");
        var call = await incoming;
        await EndpointPair.WaitUntil(() => call.State == CallState.Established, "the call to be established");
        return call;
    }

    /// <summary>The endpoint calls the raw peer: the endpoint owns the Call-ID.</summary>
    private async Task<Call> OutgoingCallAsync()
    {
        await _endpoint.StartAsync();
        var calling = _endpoint.CallAsync($"sip:raw@127.0.0.1:{_raw.Port}");
        var invite = await NextRequest("INVITE");
        _callId = invite.CallId;
        (_localTag, _remoteTag) = ("raw1", invite.From.Tag!);
        Answer(invite, 200, sdp: true);
        await NextRequest("ACK");
        return await calling.WaitAsync(Wait);
    }

    [Fact]
    public async Task Incoming_reinvite_while_ours_is_pending_gets_491_and_ours_is_retried_within_2_s_when_we_do_not_own_the_call_id()
    {
        var call = await IncomingCallAsync();
        var renegotiate = call.HoldAsync();
        var ours = await NextRequest("INVITE");

        // Glare: the peer's own re-INVITE crosses ours.
        _raw.Send(Ep, Request("INVITE", ++_cseq, "z9hG4bKglare"));
        var glare = await FinalFor("INVITE", _cseq);
        Assert.Equal(491, glare.StatusCode);
        Ack(_cseq, "z9hG4bKglare");

        // The peer refuses ours with 491 too; the endpoint ACKs and waits 0–2 s of (virtual) time.
        Answer(ours, 491);
        await NextRequest("ACK");
        Assert.True(await NoRequestWithin("INVITE", TimeSpan.FromMilliseconds(300)), "re-INVITE retried before any time passed");
        _time.Advance(TimeSpan.FromSeconds(2));
        var retry = await NextRequest("INVITE");
        Assert.True(retry.CSeq.Number > ours.CSeq.Number);
        Assert.Equal(ours.To.Tag, retry.To.Tag);
        Answer(retry, 200, sdp: true);
        await NextRequest("ACK");
        await renegotiate.WaitAsync(Wait);
        Assert.False(renegotiate.IsFaulted);
    }

    [Fact]
    public async Task Our_reinvite_answered_491_is_retried_between_2_1_and_4_s_when_we_own_the_call_id()
    {
        var call = await OutgoingCallAsync();
        var renegotiate = call.HoldAsync();
        var ours = await NextRequest("INVITE");
        Answer(ours, 491);
        await NextRequest("ACK");
        await Task.Delay(100); // the 491 reached the call and its wait started

        _time.Advance(TimeSpan.FromMilliseconds(2090));
        Assert.True(await NoRequestWithin("INVITE", TimeSpan.FromMilliseconds(300)), "owner retried before 2.1 s");
        _time.Advance(TimeSpan.FromMilliseconds(1910));
        var retry = await NextRequest("INVITE");
        Answer(retry, 200, sdp: true);
        await NextRequest("ACK");
        await renegotiate.WaitAsync(Wait);
        Assert.Equal(Pipeline.Sip.Media.MediaDirection.SendOnly, call.CurrentMedia!.Direction);
    }

    [Fact]
    public async Task Renegotiate_gives_up_with_491_after_repeated_glare()
    {
        var call = await OutgoingCallAsync();
        var renegotiate = call.HoldAsync();
        for (var i = 0; i < GlareRetry.MaxAttempts; i++)
        {
            Answer(await NextRequest("INVITE"), 491);
            await NextRequest("ACK");
            await Task.Delay(100); // the 491 reached the call and its wait started
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        var ex = await Assert.ThrowsAsync<CallFailedException>(() => renegotiate.WaitAsync(Wait));
        Assert.Equal(491, ex.StatusCode);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task Second_incoming_reinvite_before_the_first_is_acknowledged_gets_500_with_retry_after_0_to_10()
    {
        await IncomingCallAsync();
        _raw.Send(Ep, Request("INVITE", ++_cseq, "z9hG4bKre1"));
        var first = await FinalFor("INVITE", _cseq);
        Assert.Equal(200, first.StatusCode);

        _raw.Send(Ep, Request("INVITE", ++_cseq, "z9hG4bKre2"));
        var second = await FinalFor("INVITE", _cseq);
        Assert.Equal(500, second.StatusCode);
        Assert.InRange(int.Parse(second.GetHeader("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 0, 10);
    }

    [Fact]
    public async Task In_dialog_request_with_a_lower_cseq_gets_500()
    {
        await IncomingCallAsync();
        _raw.Send(Ep, Request("BYE", 0, "z9hG4bKlow", sdp: false));
        var r = await FinalFor("BYE", 0);
        Assert.Equal(500, r.StatusCode);
        Assert.Contains("CSeq", r.ReasonPhrase, StringComparison.Ordinal);
        Assert.Single(_endpoint.Calls);
    }

    [Fact]
    public async Task Request_for_an_unknown_dialog_gets_481()
    {
        await IncomingCallAsync();
        _raw.Send(Ep, Request("BYE", ++_cseq, "z9hG4bKunknown", sdp: false, toTag: "no-such-tag"));
        Assert.Equal(481, (await FinalFor("BYE", _cseq)).StatusCode);
        Assert.Single(_endpoint.Calls);
    }

    [Fact]
    public void Glare_waits_are_in_10_ms_units_within_the_section_14_1_ranges()
    {
        var random = new Random(14);
        var owner = Enumerable.Range(0, 2000).Select(_ => GlareRetry.Delay(true, random)).ToArray();
        var other = Enumerable.Range(0, 2000).Select(_ => GlareRetry.Delay(false, random)).ToArray();
        Assert.All(owner, d => Assert.InRange(d.TotalMilliseconds, 2100, 4000));
        Assert.All(other, d => Assert.InRange(d.TotalMilliseconds, 0, 2000));
        Assert.All(owner.Concat(other), d => Assert.Equal(0, d.TotalMilliseconds % 10));
        Assert.InRange(owner.Min().TotalMilliseconds, 2100, 2150);
        Assert.InRange(owner.Max().TotalMilliseconds, 3950, 4000);
        Assert.All(Enumerable.Range(0, 500).Select(_ => GlareRetry.RetryAfterSeconds(random)), s => Assert.InRange(s, 0, 10));
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _raw.Dispose();
    }
}
