using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Sdp;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Messages;

public sealed class SipParserTests
{
    private static SipRequest ParseRequest(string name)
    {
        var m = SipParser.Parse(TestData.Rfc4475(name), out var error);
        Assert.True(error is null, $"{name}: {error}");
        return Assert.IsType<SipRequest>(m);
    }

    [Fact]
    public void Wsinv_parses_with_every_field_right()
    {
        var m = ParseRequest("wsinv");

        Assert.Equal("INVITE", m.Method);
        Assert.Equal("vivekg", m.Uri!.User);
        Assert.Equal("chair-dnrc.example.com", m.Uri.Host);
        Assert.True(m.Uri.HasParameter("unknownparam"));
        Assert.Equal("sip:vivekg@chair-dnrc.example.com", m.To.UriText);
        Assert.Equal("1918181833n", m.To.Tag);
        Assert.Equal("\"J Rosenberg \\\\\\\"\"", m.From.DisplayName);
        Assert.Equal("sip:jdrosen@example.com", m.From.Uri!.ToString());
        Assert.Equal("98asjd8", m.From.Tag);
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", m.CallId);
        Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq);
        Assert.Equal(150, m.ContentLength);
        Assert.Equal(150, m.Body.Length);
        Assert.Equal("application/sdp", m.ContentType);

        Assert.Equal(3, m.Vias.Count);
        Assert.Equal(("UDP", "192.0.2.2", "390skdjuw"), (m.Vias[0].Transport, m.Vias[0].Host, m.Vias[0].Branch));
        Assert.Equal(("TCP", "spindle.example.com", "z9hG4bK9ikj8"), (m.Vias[1].Transport, m.Vias[1].Host, m.Vias[1].Branch));
        Assert.Equal(("UDP", "192.168.255.111", "z9hG4bK30239"), (m.Vias[2].Transport, m.Vias[2].Host, m.Vias[2].Branch));
        Assert.Equal("SIP/2.0", m.Vias[1].Protocol);

        Assert.Equal("", m.GetHeader("Subject"));
        Assert.Equal("newfangled value continued newfangled value", m.GetHeader("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", m.GetHeader("UnknownHeaderWithUnusualValue"));
        var route = Assert.Single(m.Routes);
        Assert.True(route.Uri!.HasParameter("lr"));
        Assert.Equal("value", route.Uri.GetParameter("unknownwith"));
        Assert.True(route.Uri.HasParameter("unknown-no-value"));

        var contact = Assert.Single(m.Contacts);
        Assert.Equal("\"Quoted string \\\"\\\"\"", contact.DisplayName);
        Assert.Equal("sip:jdrosen@example.com", contact.Uri!.ToString());
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters.Get("q"));

        Assert.True(SdpSessionDescription.TryParse(m.Body, out var sdp, out _));
        Assert.Equal(2, sdp!.Media.Count);
        Assert.Equal(49217, sdp.Media[0].Port);
    }

    [Fact]
    public void Header_order_is_kept_with_canonical_names()
    {
        var m = ParseRequest("wsinv");
        var names = m.Headers.Select(h => h.Name).ToArray();
        Assert.Equal(["To", "From", "Max-Forwards", "Call-ID", "Content-Length", "CSeq", "Via", "Subject", "NewFangledHeader", "UnknownHeaderWithUnusualValue", "Content-Type", "Route", "Via", "Contact"], names);
    }

    public static TheoryData<string> ValidRequests => new()
    {
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports", "mpart01", "lwsstart", "trws",
        "escruri", "baddate", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543",
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Valid_torture_messages_round_trip_through_the_writer(string name)
    {
        var m = ParseRequest(name);
        var again = SipParser.Parse(SipWriter.Write(m), out var error);
        Assert.Null(error);
        var r = Assert.IsType<SipRequest>(again);
        Assert.Equal(m.Method, r.Method);
        Assert.Equal(m.RequestUriText, r.RequestUriText);
        Assert.Equal(m.Headers.Where(h => h.Name != "Content-Length"), r.Headers.Where(h => h.Name != "Content-Length"));
        Assert.Equal(m.Body, r.Body);
        Assert.Equal(m.Vias.Count, r.Vias.Count);
    }

    [Fact]
    public void Dblreq_parses_only_the_first_message()
    {
        var m = ParseRequest("dblreq");
        Assert.Equal("REGISTER", m.Method);
        Assert.Empty(m.Body);
    }

    [Theory]
    [InlineData("unreason", 200)]
    [InlineData("noreason", 100)]
    public void Unusual_responses_parse(string name, int status)
    {
        var m = SipParser.Parse(TestData.Rfc4475(name), out var error);
        Assert.Null(error);
        Assert.Equal(status, Assert.IsType<SipResponse>(m).StatusCode);
    }

    [Fact]
    public void Noreason_has_an_empty_reason_phrase()
    {
        var m = (SipResponse)SipParser.Parse(TestData.Rfc4475("noreason"), out _)!;
        Assert.Equal("", m.ReasonPhrase);
    }

    [Theory]
    [InlineData("scalarlg")]
    [InlineData("bigcode")]
    public void Broken_responses_are_errors(string name)
    {
        SipParser.Parse(TestData.Rfc4475(name), out var error);
        Assert.NotNull(error);
    }

    [Fact]
    public void Compact_forms_and_folding_and_comma_lists_are_understood()
    {
        const string text = "INVITE sip:b@example.com SIP/2.0\r\n" +
                            "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070\r\n ;branch=z9hG4bK2;received=192.0.2.9\r\n" +
                            "f: \"A, with comma\" <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: abc\r\n" +
                            "m: <sip:a@a.example.com>, <sip:a2@a.example.com>;q=0.5\r\nk: timer, replaces\r\ne: identity\r\nc: application/sdp\r\n" +
                            "CSeq: 3 INVITE\r\nl: 0\r\n\r\n";
        var m = (SipRequest)SipParser.Parse(Encoding.ASCII.GetBytes(text), out var error)!;
        Assert.Null(error);
        Assert.Equal(2, m.Vias.Count);
        Assert.Equal(5070, m.Vias[1].Port);
        Assert.Equal("192.0.2.9", m.Vias[1].Received);
        Assert.Equal("\"A, with comma\"", m.From.DisplayName);
        Assert.Equal("abc", m.CallId);
        Assert.Equal(2, m.Contacts.Count);
        Assert.Equal("0.5", m.Contacts[1].Parameters.Get("q"));
        Assert.Equal(["timer", "replaces"], m.GetTokens("Supported"));
        Assert.Equal("application/sdp", m.ContentType);
        Assert.Equal(["identity"], m.GetTokens("Content-Encoding"));
    }

    [Theory]
    [InlineData("sip:alice@example.com", "alice", "example.com", null)]
    [InlineData("sips:bob:secret@[2001:db8::1]:5061;transport=tcp?subject=x", "bob", "[2001:db8::1]", 5061)]
    [InlineData("sip:192.0.2.1:5080;lr", null, "192.0.2.1", 5080)]
    [InlineData("sip:user;par=u%40example.net@example.com", "user;par=u%40example.net", "example.com", null)]
    public void Sip_uris_parse_into_parts_and_write_back(string text, string? user, string host, int? port)
    {
        var uri = SipUri.Parse(text);
        Assert.Equal(user, uri.User);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData("http://example.com", "scheme")]
    [InlineData("sip:a@[2001:db8::1", "IPv6")]
    [InlineData("sip:a@exa mple.com", "whitespace")]
    [InlineData("sip:a@example.com:99999", "port")]
    public void Bad_sip_uris_are_rejected_with_the_reason(string text, string why)
    {
        var ex = Assert.Throws<FormatException>(() => SipUri.Parse(text));
        Assert.Contains(why, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Garbage_is_an_error_without_a_message()
    {
        var m = SipParser.Parse([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a], out var error);
        Assert.Null(m);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true)]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true)]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true)]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false)]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false)]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false)]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", false)]
    public void Uri_equivalence_follows_rfc3261_19_1_4(string a, string b, bool equivalent)
    {
        Assert.Equal(equivalent, SipUri.Parse(a).IsEquivalentTo(SipUri.Parse(b)));
        Assert.Equal(equivalent, SipUri.Parse(b).IsEquivalentTo(SipUri.Parse(a)));
    }

    [Fact]
    public void Esc01_escaped_user_parts_compare_unescaped()
    {
        var m = ParseRequest("esc01");
        Assert.Equal("sips:user@example.com", SipUri.Unescape(m.Uri!.User));
        Assert.True(m.To.Uri!.IsEquivalentTo(SipUri.Parse("sip:user@example.com")));
        Assert.Equal("I have spaces", SipUri.Unescape(m.From.Uri!.User));
    }
}
