using System.Collections.Concurrent;
using System.Net;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Messages;

/// <summary>RFC 4475 / RFC 5118 torture messages fed into a running endpoint's receive path: the answer a UAS owes each.</summary>
public sealed class TortureSweepTests
{
    public static TheoryData<string, int> Rfc4475Answers => new()
    {
        { "wsinv", 481 }, // valid, but its To tag names a dialog we do not have
        { "intmeth", 501 },
        { "esc01", 180 },
        { "escnull", 405 },
        { "esc02", 501 },
        { "lwsdisp", 200 },
        { "longreq", 180 },
        { "dblreq", 405 },
        { "semiuri", 200 },
        { "transports", 200 },
        { "mpart01", 405 },
        { "unreason", 0 },
        { "noreason", 0 },
        { "badinv01", 400 },
        { "clerr", 400 },
        { "ncl", 400 },
        { "scalar02", 400 },
        { "scalarlg", 0 },
        { "quotbal", 400 },
        { "ltgtruri", 400 },
        { "lwsruri", 400 },
        { "lwsstart", 180 },
        { "trws", 200 },
        { "escruri", 180 },
        { "baddate", 180 },
        { "regbadct", 400 },
        { "badaspec", 400 },
        { "baddn", 400 },
        { "badvers", 505 },
        { "mismatch01", 400 },
        { "mismatch02", 400 },
        { "bigcode", 0 },
        { "badbranch", 200 },
        { "insuf", 400 },
        { "unkscm", 416 },
        { "novelsc", 416 },
        { "unksm2", 405 },
        { "bext01", 420 },
        { "invut", 415 },
        { "regaut01", 405 },
        { "multi01", 400 },
        { "mcl01", 400 },
        { "bcast", 0 },
        { "zeromf", 200 },
        { "cparam01", 405 },
        { "cparam02", 405 },
        { "regescrt", 405 },
        { "sdp01", 406 },
        { "inv2543", 180 },
    };

    /// <param name="expected">The first non-100 response status, or 0 when the message must be dropped.</param>
    [Theory]
    [MemberData(nameof(Rfc4475Answers))]
    public async Task Endpoint_answers_rfc4475_message_as_a_uas_should(string name, int expected)
    {
        var (answers, _) = await FeedAsync(TestData.Rfc4475(name), expectAnswer: expected != 0);

        if (expected == 0)
        {
            Assert.Empty(answers);
            return;
        }

        var first = answers.FirstOrDefault(r => r.StatusCode != 100);
        Assert.True(first is not null, $"{name}: no answer");
        Assert.Equal(expected, first!.StatusCode);
        if (expected == 400)
        {
            Assert.NotEqual("Bad Request", first.ReasonPhrase); // the phrase names the problem
        }

        if (expected == 420)
        {
            Assert.Contains("nothingSupportsThis", first.GetHeader("Unsupported"));
        }

        if (expected == 415)
        {
            Assert.Equal("application/sdp", first.GetHeader("Accept"));
        }

        if (expected is 405 or 501)
        {
            Assert.Contains("INVITE", first.GetHeader("Allow"));
        }
    }

    [Fact]
    public async Task Bad_request_reason_phrases_name_the_header()
    {
        var (answers, _) = await FeedAsync(TestData.Rfc4475("multi01"));
        Assert.Contains("From", answers.Single(r => r.StatusCode == 400).ReasonPhrase);
        (answers, _) = await FeedAsync(TestData.Rfc4475("ncl"));
        Assert.Contains("Content-Length", answers.Single(r => r.StatusCode == 400).ReasonPhrase);
        (answers, _) = await FeedAsync(TestData.Rfc4475("mismatch01"));
        Assert.Contains("CSeq", answers.Single(r => r.StatusCode == 400).ReasonPhrase);
    }

    [Fact]
    public async Task Broadcast_via_is_never_used_as_a_destination()
    {
        var (_, destinations) = await FeedAsync(TestData.Rfc4475("bcast"), expectAnswer: false);
        Assert.DoesNotContain(destinations, d => d.Address.ToString().EndsWith(".255", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ipv6-bad")]
    [InlineData("ipv6-bug-abnf-3-colons")]
    public void Rfc5118_invalid_ipv6_messages_are_rejected(string name)
    {
        var m = SipParser.Parse(File.ReadAllBytes(Path.Combine(TestData.Rfc5118Dir, name)), out var error);
        Assert.NotNull(error);
        Assert.Equal(400, error!.StatusCode);
        Assert.IsType<SipRequest>(m); // partly parsed, so a 400 can be sent
    }

    [Fact]
    public void Every_other_rfc5118_message_parses()
    {
        var files = Directory.GetFiles(TestData.Rfc5118Dir).Where(f => !Path.GetFileName(f).StartsWith("ipv6-b", StringComparison.Ordinal)).ToArray();
        Assert.True(files.Length >= 10, "RFC 5118 files missing under " + TestData.Rfc5118Dir);
        foreach (var f in files)
        {
            SipParser.Parse(File.ReadAllBytes(f), out var error);
            Assert.True(error is null, $"{Path.GetFileName(f)}: {error}");
        }
    }

    [Theory]
    [InlineData("port-ambiguous", "[2001:db8::10:5070]", null)]
    [InlineData("port-unambiguous", "[2001:db8::10]", 5070)]
    public void Rfc5118_port_inside_brackets_is_part_of_the_address(string name, string host, int? port)
    {
        var m = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(TestData.Rfc5118Dir, name)), out var error)!;
        Assert.Null(error);
        Assert.Equal(host, m.Uri!.Host);
        Assert.Equal(port, m.Uri.Port);
    }

    private static async Task<(List<SipResponse> Answers, List<IPEndPoint> Destinations)> FeedAsync(byte[] data, bool expectAnswer = true)
    {
        await using var ep = new Endpoint(EndpointPair.Options("bob"), new FakeMediaFactory());
        await ep.StartAsync();
        var sent = new ConcurrentQueue<(SipMessage M, IPEndPoint To)>();
        ep.Transport!.Sent = (m, to) => sent.Enqueue((m, to));
        ep.Transport.OnDatagram(data, new IPEndPoint(IPAddress.Loopback, 40123));
        if (expectAnswer)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (!sent.Any(s => s.M is SipResponse { StatusCode: > 100 }) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }
        else
        {
            await Task.Delay(300);
        }

        return (sent.Select(s => s.M).OfType<SipResponse>().ToList(), sent.Select(s => s.To).ToList());
    }
}
