using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Pipeline.Sip.Resolution;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.Transport;

/// <summary>Two endpoints calling each other over TCP and TLS, transport selection, connection reuse.</summary>
public sealed class TransportCallTests
{
    private static readonly TimeSpan Wait = EndpointPair.Wait;

    private static ConcurrentQueue<(SipMessage Message, SipStreamConnection Connection)> Record(StreamSipTransport t)
    {
        var q = new ConcurrentQueue<(SipMessage, SipStreamConnection)>();
        t.Sent = (m, c) => q.Enqueue((m, c));
        return q;
    }

    private static ConcurrentQueue<SipMessage> RecordUdp(Endpoint e)
    {
        var q = new ConcurrentQueue<SipMessage>();
        e.Transport!.Sent = (m, _) => q.Enqueue(m);
        return q;
    }

    private static SipRequest Sent(IEnumerable<(SipMessage Message, SipStreamConnection Connection)> q, string method) =>
        q.Select(s => s.Message).OfType<SipRequest>().First(r => r.Method == method);

    [Fact]
    public async Task Tcp_call_uses_one_connection_both_ways_and_never_udp()
    {
        await using var pair = await EndpointPair.StartAsync(alice: EndpointPair.Options("alice") with { Transport = SipTransportKind.Tcp });
        var aliceSent = Record(pair.Alice.Transports!.Tcp);
        var bobSent = Record(pair.Bob.Transports!.Tcp);
        var aliceUdp = RecordUdp(pair.Alice);
        var bobUdp = RecordUdp(pair.Bob);
        var incoming = EndpointPair.NextIncoming(pair.Bob);

        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        var bobCall = await incoming;
        Assert.Equal(CallState.Established, call.State);

        var invite = Sent(aliceSent, "INVITE");
        Assert.Equal("TCP", invite.TopVia!.Transport);
        Assert.True(invite.TopVia.Parameters.Contains("alias"));
        Assert.Equal("tcp", invite.Contacts[0].Uri!.GetParameter("transport"));

        // Bob hangs up: his BYE goes to Alice's Contact and reuses the connection Alice opened (Via alias).
        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Ended += (_, r) => ended.TrySetResult(r);
        await bobCall.HangupAsync().WaitAsync(Wait);
        Assert.Equal(CallEndKind.RemoteHangup, (await ended.Task.WaitAsync(Wait)).Kind);

        var bye = bobSent.First(s => s.Message is SipRequest { Method: "BYE" });
        Assert.False(bye.Connection.IsOutgoing, "Bob opened a new connection for his BYE instead of reusing Alice's");
        Assert.Single(pair.Alice.Transports.Tcp.Connections);
        Assert.Single(pair.Bob.Transports.Tcp.Connections.Distinct());
        Assert.All(aliceSent, s => Assert.Same(aliceSent.First().Connection, s.Connection)); // INVITE, ACK, 200 to BYE on one connection
        Assert.Empty(aliceUdp);
        Assert.Empty(bobUdp);
    }

    [Fact]
    public async Task Second_request_reuses_the_connection_and_responses_come_back_on_it()
    {
        await using var pair = await EndpointPair.StartAsync();
        var aliceSent = Record(pair.Alice.Transports!.Tcp);
        var bobSent = Record(pair.Bob.Transports!.Tcp);
        var call = await pair.Alice.CallAsync(pair.BobUri + ";transport=tcp").WaitAsync(Wait);
        await call.HoldAsync().WaitAsync(Wait);
        await call.HangupAsync().WaitAsync(Wait);

        var requests = aliceSent.Where(s => s.Message is SipRequest).ToList();
        Assert.Equal(["INVITE", "ACK", "INVITE", "ACK", "BYE"], requests.Select(s => ((SipRequest)s.Message).Method).ToArray());
        Assert.All(requests, s => Assert.Same(requests[0].Connection, s.Connection));
        var responses = bobSent.Where(s => s.Message is SipResponse).ToList();
        Assert.NotEmpty(responses);
        Assert.All(responses, s => Assert.False(s.Connection.IsOutgoing));
        Assert.Single(pair.Bob.Transports.Tcp.Connections.Distinct());
    }

    [Fact]
    public async Task Tls_call_between_two_endpoints_completes()
    {
        using var certs = TestCertificates.Create();
        var bobOptions = EndpointPair.Options("bob", autoAnswer: true) with
        {
            TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = certs.Server,
        };
        var aliceOptions = EndpointPair.Options("alice") with { TlsTrustedRoots = certs.Roots };
        await using var pair = await EndpointPair.StartAsync(aliceOptions, bobOptions);
        var aliceSent = Record(pair.Alice.Transports!.Tls);
        var incoming = EndpointPair.NextIncoming(pair.Bob);

        var call = await pair.Alice.CallAsync($"sips:bob@127.0.0.1:{pair.Bob.TlsLocalEndPoint!.Port}").WaitAsync(Wait);
        var bobCall = await incoming;
        Assert.Equal(CallState.Established, call.State);
        var invite = Sent(aliceSent, "INVITE");
        Assert.Equal("TLS", invite.TopVia!.Transport);
        Assert.Equal("sips", invite.Contacts[0].Uri!.Scheme);

        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Ended += (_, r) => ended.TrySetResult(r);
        await bobCall.HangupAsync().WaitAsync(Wait);
        Assert.Equal(CallEndKind.RemoteHangup, (await ended.Task.WaitAsync(Wait)).Kind);
        Assert.Single(pair.Alice.Transports.Tls.Connections);
        Assert.Empty(pair.Alice.Transports.Tcp.Connections);
    }

    [Fact]
    public async Task Tls_call_to_an_untrusted_certificate_fails_fast_with_a_clear_error()
    {
        using var certs = TestCertificates.Create();
        using var otherCa = TestCertificates.Create("Some Other CA");
        var bobOptions = EndpointPair.Options("bob", autoAnswer: true) with
        {
            TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = certs.Server,
        };
        await using var pair = await EndpointPair.StartAsync(EndpointPair.Options("alice") with { TlsTrustedRoots = otherCa.Roots }, bobOptions);
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<CallFailedException>(() => pair.Alice.CallAsync($"sip:bob@127.0.0.1:{pair.Bob.TlsLocalEndPoint!.Port};transport=tls").WaitAsync(Wait));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), "the failure waited for timer B instead of the handshake");
        Assert.Equal(503, ex.StatusCode);
        Assert.Contains("TLS handshake", ex.ReasonPhrase, StringComparison.Ordinal);
        Assert.Contains("not trusted", ex.ReasonPhrase, StringComparison.Ordinal);
        Assert.Empty(pair.Bob.Calls);
    }

    [Fact]
    public async Task Tls_with_system_trust_refuses_a_self_signed_ca()
    {
        using var certs = TestCertificates.Create();
        var bobOptions = EndpointPair.Options("bob", autoAnswer: true) with
        {
            TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = certs.Server,
        };
        await using var pair = await EndpointPair.StartAsync(EndpointPair.Options("alice"), bobOptions);
        var ex = await Assert.ThrowsAsync<CallFailedException>(() => pair.Alice.CallAsync($"sips:bob@127.0.0.1:{pair.Bob.TlsLocalEndPoint!.Port}").WaitAsync(Wait));
        Assert.Contains("TLS handshake", ex.ReasonPhrase, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_invite_switches_from_udp_to_tcp_by_itself()
    {
        var alice = EndpointPair.Options("alice") with { DisplayName = "Alice " + new string('x', 1500) };
        await using var pair = await EndpointPair.StartAsync(alice);
        var aliceTcp = Record(pair.Alice.Transports!.Tcp);
        var aliceUdp = RecordUdp(pair.Alice);
        var call = await pair.Alice.CallAsync(pair.BobUri).WaitAsync(Wait);
        Assert.Equal(CallState.Established, call.State);

        var invite = Sent(aliceTcp, "INVITE");
        Assert.True(SipWriter.Write(invite).Length > 2000);
        Assert.Equal("TCP", invite.TopVia!.Transport);
        Assert.DoesNotContain(aliceUdp, m => m is SipRequest { Method: "INVITE" });
    }

    [Fact]
    public async Task Large_request_falls_back_to_udp_when_tcp_is_refused()
    {
        var alice = EndpointPair.Options("alice") with { DisplayName = "Alice " + new string('x', 1500) };
        await using var pair = await EndpointPair.StartAsync(alice);
        using var udpOnly = new RawSipClient(); // no TCP listener on its port
        using var cts = new CancellationTokenSource();
        var calling = pair.Alice.CallAsync($"sip:raw@127.0.0.1:{udpOnly.Port}", cts.Token);
        var m = await udpOnly.ReceiveAsync(Wait);
        var invite = Assert.IsType<SipRequest>(m);
        Assert.Equal("INVITE", invite.Method);
        Assert.Equal("UDP", invite.TopVia!.Transport);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => calling.WaitAsync(Wait));
    }

    [Fact]
    public async Task Invite_over_tcp_is_not_retransmitted_by_timer_a()
    {
        await using var pair = await EndpointPair.StartAsync();
        var sent = Record(pair.Alice.Transports!.Tcp);
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0); // accepts, never answers
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource();
        var calling = pair.Alice.CallAsync($"sip:nobody@127.0.0.1:{port};transport=tcp", cts.Token);
        using var accepted = await silent.AcceptTcpClientAsync().WaitAsync(Wait);
        await Task.Delay(800); // T1 = 100 ms: UDP would have retransmitted three times by now
        Assert.Equal(1, sent.Count(s => s.Message is SipRequest { Method: "INVITE" }));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => calling.WaitAsync(Wait));
    }
}
