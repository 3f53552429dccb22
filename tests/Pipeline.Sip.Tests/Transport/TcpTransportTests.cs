using System.Net;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Transport;

/// <summary>The endpoint's TCP listener seen from a raw socket: framing, errors, keep-alive, where responses go.</summary>
public sealed class TcpTransportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static async Task<Endpoint> StartAsync()
    {
        var ep = new Endpoint(EndpointPair.Options("bob"), new FakeMediaFactory());
        await ep.StartAsync();
        return ep;
    }

    [Fact]
    public async Task Tcp_listens_on_the_same_port_as_udp()
    {
        await using var ep = await StartAsync();
        Assert.Equal(ep.LocalEndPoint, ep.Transports!.Tcp.LocalEndPoint);
    }

    [Fact]
    public async Task Several_messages_in_one_segment_each_get_their_answer()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        var port = c.LocalEndPoint.Port;
        await c.SendAsync(RawTcpSipClient.Options(port, "z9hG4bKa", "one") + RawTcpSipClient.Options(port, "z9hG4bKb", "two", body: "v=0\r\n") + RawTcpSipClient.Options(port, "z9hG4bKc", "three"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = await c.ResponseAsync(Wait);
            Assert.NotNull(r);
            Assert.Equal(200, r!.StatusCode);
            ids.Add(r.CallId);
        }

        Assert.Equal(["one", "two", "three"], ids);
    }

    [Fact]
    public async Task Message_split_across_segments_with_split_body_is_reassembled()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        var bytes = Encoding.UTF8.GetBytes(RawTcpSipClient.Options(c.LocalEndPoint.Port, body: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"));
        var headerEnd = Encoding.UTF8.GetString(bytes).IndexOf("\r\n\r\n", StringComparison.Ordinal);
        await c.SendInPiecesAsync(bytes, 7, headerEnd + 2, headerEnd + 10, bytes.Length - 4);
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(200, r?.StatusCode);
        Assert.Equal("tcp-opt-1", r!.CallId);
    }

    [Fact]
    public async Task Missing_content_length_gets_400_then_the_connection_closes()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        var text = RawTcpSipClient.Options(c.LocalEndPoint.Port).Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal);
        await c.SendAsync(text);
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(400, r?.StatusCode);
        Assert.Contains("Content-Length", r!.ReasonPhrase, StringComparison.Ordinal);
        Assert.True(await c.WaitClosedAsync(Wait), "the endpoint kept the connection open");
    }

    [Fact]
    public async Task Bad_content_length_gets_400_then_the_connection_closes()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(RawTcpSipClient.Options(c.LocalEndPoint.Port).Replace("Content-Length: 0", "Content-Length: zero", StringComparison.Ordinal));
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(400, r?.StatusCode);
        Assert.Equal("Bad Content-Length", r!.ReasonPhrase);
        Assert.True(await c.WaitClosedAsync(Wait), "the endpoint kept the connection open");
    }

    [Fact]
    public async Task Oversize_message_closes_the_connection_without_answer()
    {
        await using var ep = await StartAsync();
        ep.Transports!.Tcp.MaxMessageSize = 4096;
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(RawTcpSipClient.Options(c.LocalEndPoint.Port).Replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Big: " + new string('x', 8000) + "\r\n", StringComparison.Ordinal));
        Assert.Null(await c.ResponseAsync(Wait));
        Assert.True(c.Closed, "the endpoint kept the connection open");
    }

    [Fact]
    public async Task Double_crlf_ping_gets_a_crlf_pong_and_the_connection_stays_usable()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync("\r\n\r\n");
        Assert.Equal("\r\n"u8.ToArray(), await c.ReceiveRawAsync(Wait));
        await c.SendAsync(RawTcpSipClient.Options(c.LocalEndPoint.Port));
        Assert.Equal(200, (await c.ResponseAsync(Wait))?.StatusCode);
    }

    [Fact]
    public async Task Response_goes_back_on_the_incoming_connection_not_to_the_via_port()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        // Via names a port nobody listens on: the answer must still come on this connection.
        await c.SendAsync(RawTcpSipClient.Options(9));
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(200, r?.StatusCode);
        var via = r!.TopVia!;
        Assert.Equal("TCP", via.Transport);
        Assert.Equal(9, via.Port);
        Assert.Single(ep.Transports!.Tcp.Connections);
    }

    [Fact]
    public async Task Rport_and_received_are_stamped_on_tcp_requests()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        var text = RawTcpSipClient.Options(5099).Replace("127.0.0.1:5099;branch", "192.0.2.9:5099;rport;branch", StringComparison.Ordinal);
        await c.SendAsync(text);
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(200, r?.StatusCode);
        Assert.Equal("127.0.0.1", r!.TopVia!.Received);
        Assert.Equal(c.LocalEndPoint.Port, r.TopVia.Rport);
    }

    [Fact]
    public async Task Idle_connection_is_closed()
    {
        var options = EndpointPair.Options("bob") with { ConnectionIdleTimeout = TimeSpan.FromMilliseconds(300) };
        await using var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(RawTcpSipClient.Options(c.LocalEndPoint.Port));
        Assert.Equal(200, (await c.ResponseAsync(Wait))?.StatusCode);
        Assert.True(await c.WaitClosedAsync(Wait), "idle connection was not closed");
        await EndpointPair.WaitUntil(() => ep.Transports!.Tcp.Connections.Count == 0, "the connection table to empty");
    }

    /// <summary>RFC 4475 §3.1.2.2: over a stream a Content-Length beyond what arrived means "wait for more", not 400.</summary>
    [Fact]
    public async Task Clerr_over_tcp_waits_for_the_rest_instead_of_answering_400()
    {
        await using var ep = await StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(TestData.Rfc4475("clerr"));
        Assert.Null(await c.ResponseAsync(TimeSpan.FromMilliseconds(700)));
        Assert.False(c.Closed, "the connection was closed while the message was still incomplete");
    }

    /// <summary>§18.2.2: when the request's connection is gone, the response opens one to the Via sent-by.</summary>
    [Fact]
    public async Task Response_opens_a_new_connection_to_the_via_when_the_request_connection_closed()
    {
        await using var ep = await StartAsync();
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var viaPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var incoming = EndpointPair.NextIncoming(ep);
        await using (var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint))
        {
            await c.SendAsync(RawTcpSipClient.Invite(viaPort, "reopen-1"));
            Assert.Equal(180, (await c.ResponseAsync(Wait))?.StatusCode);
        }

        var call = await incoming;
        await EndpointPair.WaitUntil(() => ep.Transports!.Tcp.Connections.Count == 0, "the closed connection to leave the table");
        var answering = call.AnswerAsync();
        await using var back = RawTcpSipClient.Accepted(await listener.AcceptSocketAsync().WaitAsync(Wait));
        var ok = await back.ResponseAsync(Wait);
        Assert.Equal(200, ok?.StatusCode);
        Assert.Equal("reopen-1", ok!.CallId);
        Assert.Equal("tcp", ok.Contacts[0].Uri!.GetParameter("transport"));
        _ = answering;
    }
}
