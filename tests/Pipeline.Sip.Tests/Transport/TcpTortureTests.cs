using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Transport;

/// <summary>
/// RFC 4475 messages sent over a TCP connection. Each is answered as over UDP except where stream framing changes
/// the meaning: clerr (Content-Length beyond the data: wait for more), inv2543 (no Content-Length: 400 and close on
/// a stream, RFC 3261 §18.3), dblreq (the "extra" bytes are a second message on a stream).
/// </summary>
public sealed class TcpTortureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public static TheoryData<string, int> Answers()
    {
        var data = new TheoryData<string, int>();
        foreach (var row in TortureSweepTests.Rfc4475Answers)
        {
            var name = (string)row[0];
            if (name is "clerr" or "inv2543" or "dblreq")
            {
                continue;
            }

            data.Add(name, (int)row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Rfc4475_message_over_tcp_gets_the_same_answer_as_over_udp(string name, int expected)
    {
        await using var ep = new Endpoint(EndpointPair.Options("bob"), new FakeMediaFactory());
        await ep.StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(TestData.Rfc4475(name));
        var r = await c.ResponseAsync(expected == 0 ? TimeSpan.FromMilliseconds(300) : Wait);
        if (expected == 0)
        {
            Assert.Null(r);
            return;
        }

        Assert.True(r is not null, $"{name}: no answer over TCP");
        Assert.Equal(expected, r!.StatusCode);
    }

    [Fact]
    public async Task Inv2543_without_content_length_gets_400_and_close_over_tcp()
    {
        await using var ep = new Endpoint(EndpointPair.Options("bob"), new FakeMediaFactory());
        await ep.StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(TestData.Rfc4475("inv2543"));
        var r = await c.ResponseAsync(Wait);
        Assert.Equal(400, r?.StatusCode);
        Assert.Equal("Missing Content-Length", r!.ReasonPhrase);
        Assert.True(await c.WaitClosedAsync(Wait));
    }

    [Fact]
    public async Task Dblreq_over_tcp_is_two_messages_and_both_are_answered()
    {
        await using var ep = new Endpoint(EndpointPair.Options("bob"), new FakeMediaFactory());
        await ep.StartAsync();
        await using var c = await RawTcpSipClient.ConnectAsync(ep.LocalEndPoint);
        await c.SendAsync(TestData.Rfc4475("dblreq"));
        var methods = new HashSet<string>();
        var deadline = DateTime.UtcNow + Wait;
        while (methods.Count < 2 && DateTime.UtcNow < deadline)
        {
            var r = await c.ResponseAsync(deadline - DateTime.UtcNow);
            if (r is null)
            {
                break;
            }

            if (r.CSeq.Method == "REGISTER")
            {
                Assert.Equal(405, r.StatusCode);
            }

            methods.Add(r.CSeq.Method);
        }

        Assert.Equal(["INVITE", "REGISTER"], methods.Order().ToArray());
    }
}
