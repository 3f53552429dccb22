using System.Net;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Protection;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Protection;

public sealed class SipProtectionTests
{
    private static readonly IPEndPoint Source = new(IPAddress.Parse("192.0.2.7"), 5060);
    private readonly ManualTimeProvider _time = new();

    private static SipRequest Request(string method) => (SipRequest)SipParser.Parse(Encoding.ASCII.GetBytes(
        $"{method} sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKp1\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:x@192.0.2.7>;tag=f\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: p@test\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"), out _)!;

    private SipProtection Create(double rate = 10, int burst = 5, bool rejectInvites = true, int maxQueued = 10_000, Func<int>? depth = null) =>
        new(new EndpointOptions { TimeProvider = _time, RequestsPerSecondPerSource = rate, RequestBurstPerSource = burst, RejectExcessInvites = rejectInvites, MaxQueuedMessages = maxQueued }, depth);

    [Fact]
    public void Token_bucket_admits_the_burst_then_the_sustained_rate()
    {
        var p = Create();
        var options = Request("OPTIONS");
        var admitted = Enumerable.Range(0, 10).Count(_ => p.Admit(options, Source) == SipAdmission.Accept);
        Assert.Equal(5, admitted);
        Assert.Equal(5, p.Dropped);

        _time.Advance(TimeSpan.FromMilliseconds(300)); // 10/s: three tokens back
        admitted = Enumerable.Range(0, 10).Count(_ => p.Admit(options, Source) == SipAdmission.Accept);
        Assert.Equal(3, admitted);

        _time.Advance(TimeSpan.FromSeconds(60)); // refill stops at the burst size
        admitted = Enumerable.Range(0, 10).Count(_ => p.Admit(options, Source) == SipAdmission.Accept);
        Assert.Equal(5, admitted);
    }

    [Fact]
    public void Excess_invite_is_rejected_with_503_and_retry_after_other_requests_are_dropped()
    {
        var p = Create(burst: 1);
        Assert.Equal(SipAdmission.Accept, p.Admit(Request("INVITE"), Source));
        Assert.Equal(SipAdmission.Reject, p.Admit(Request("INVITE"), Source));
        Assert.Equal(SipAdmission.Drop, p.Admit(Request("BYE"), Source));
        var busy = p.CreateBusy(Request("INVITE"));
        Assert.Equal(503, busy.StatusCode);
        Assert.Equal("5", busy.GetHeader("Retry-After"));
        Assert.Equal(1, p.Rejected);
        Assert.Equal(1, p.Dropped);

        var quiet = Create(burst: 1, rejectInvites: false);
        quiet.Admit(Request("INVITE"), Source);
        Assert.Equal(SipAdmission.Drop, quiet.Admit(Request("INVITE"), Source));
    }

    [Fact]
    public void Sources_are_limited_separately_and_responses_are_never_limited()
    {
        var p = Create(burst: 1);
        Assert.Equal(SipAdmission.Accept, p.Admit(Request("OPTIONS"), Source));
        Assert.Equal(SipAdmission.Drop, p.Admit(Request("OPTIONS"), Source));
        Assert.Equal(SipAdmission.Accept, p.Admit(Request("OPTIONS"), new IPEndPoint(IPAddress.Parse("192.0.2.8"), 5060)));
        var response = SipMessageFactory.CreateResponse(Request("OPTIONS"), 200, null, "t");
        Assert.Equal(SipAdmission.Accept, p.Admit(response, Source));
    }

    [Fact]
    public void Zero_rate_means_no_limit_but_a_full_queue_still_refuses()
    {
        var depth = 0;
        var p = Create(rate: 0, maxQueued: 100, depth: () => depth);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal(SipAdmission.Accept, p.Admit(Request("OPTIONS"), Source)));
        depth = 100;
        Assert.Equal(SipAdmission.Drop, p.Admit(Request("OPTIONS"), Source));
        Assert.Equal(SipAdmission.Reject, p.Admit(Request("INVITE"), Source));
    }

    [Fact]
    public void Tracked_sources_stay_bounded_under_a_spoofed_source_flood()
    {
        var p = new SipProtection(new EndpointOptions { TimeProvider = _time, RequestsPerSecondPerSource = 10, RequestBurstPerSource = 5 }) { MaxTrackedSources = 100 };
        var options = Request("OPTIONS");
        for (var i = 0; i < 10_000; i++)
        {
            p.Admit(options, new IPEndPoint(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), 5060));
        }

        Assert.InRange(p.TrackedSources, 1, 100);
    }

    [Fact]
    public void Size_limit_refuses_messages_over_the_configured_maximum()
    {
        var p = new SipProtection(new EndpointOptions { MaxMessageSize = 2000 });
        Assert.True(p.AdmitSize(2000));
        Assert.False(p.AdmitSize(2001));
        Assert.Equal(1, p.Oversized);
        Assert.Equal(413, SipProtection.CreateTooLarge(Request("INVITE")).StatusCode);
    }
}
