using System.Buffers;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Messages;

/// <summary>RFC 3261 §7 and §25 grammar corners, the lazy message model, and writer round trips.</summary>
public sealed class SipGrammarTests
{
    private const string Base =
        "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n" +
        "Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n";

    private static SipMessage Parse(string text)
    {
        var m = SipParser.Parse(Encoding.UTF8.GetBytes(text), out var error);
        Assert.True(error is null, error?.ToString());
        return m!;
    }

    private static SipParseError ParseError(string text)
    {
        SipParser.Parse(Encoding.UTF8.GetBytes(text), out var error);
        return Assert.IsType<SipParseError>(error);
    }

    private static string Invite(string extraHeaders, string body = "") => "INVITE sip:b@example.com SIP/2.0\r\n" + Base + extraHeaders + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;

    [Theory]
    [InlineData("s", "Subject")]
    [InlineData("e", "Content-Encoding")]
    [InlineData("o", "Event")]
    [InlineData("r", "Refer-To")]
    [InlineData("b", "Referred-By")]
    [InlineData("x", "Session-Expires")]
    [InlineData("u", "Allow-Events")]
    [InlineData("k", "Supported")]
    [InlineData("SUBJECT", "Subject")]
    [InlineData("www-authenticate", "WWW-Authenticate")]
    public void Compact_and_odd_case_names_read_as_the_canonical_header(string wireName, string canonical)
    {
        var m = Parse(Invite($"{wireName}: value1\r\n"));
        Assert.Equal("value1", m.GetHeader(canonical));
        Assert.Equal(canonical, m.Headers.Single(h => h.Value == "value1").Name);
    }

    [Fact]
    public void Unknown_header_names_match_case_insensitively_and_keep_their_spelling()
    {
        var m = Parse(Invite("X-My-Header: one\r\nx-my-header: two\r\n"));
        Assert.Equal("one", m.GetHeader("X-MY-HEADER"));
        Assert.Equal(2, m.CountHeaders("x-My-Header"));
        Assert.Equal(["one", "two"], m.GetValues("X-My-Header"));
        Assert.Equal(["X-My-Header", "x-my-header"], m.Headers.Where(h => h.Value is "one" or "two").Select(h => h.Name));
    }

    [Fact]
    public void Folded_value_reads_unfolded_and_is_written_on_one_line()
    {
        var m = Parse(Invite("Subject: first\r\n  second\r\n\tthird\r\n"));
        Assert.Equal("first second third", m.GetHeader("Subject"));
        var written = Encoding.UTF8.GetString(SipWriter.Write(m));
        Assert.Contains("Subject: first second third\r\n", written);
    }

    [Fact]
    public void List_values_split_at_commas_outside_quotes_angle_brackets_and_escapes()
    {
        var m = Parse(Invite("Contact: \"Smith, \\\"J, r\\\"\" <sip:a@example.com;p=x,y>;q=0.1, sip:b@example.com;expires=5, <sip:c@example.com?h=1,2>\r\n"));
        Assert.Equal(3, m.Contacts.Count);
        Assert.Equal("\"Smith, \\\"J, r\\\"\"", m.Contacts[0].DisplayName);
        Assert.Equal("x,y", m.Contacts[0].Uri!.GetParameter("p"));
        Assert.Equal("0.1", m.Contacts[0].Parameters.Get("q"));
        Assert.Equal("sip:b@example.com", m.Contacts[1].UriText);
        Assert.Equal("h=1,2", m.Contacts[2].Uri!.Headers);
    }

    [Fact]
    public void Parameters_after_an_addr_spec_belong_to_the_header_and_inside_angle_brackets_to_the_uri()
    {
        var m = Parse(Invite("Contact: sip:a@example.com;transport=tcp;expires=60\r\n"));
        var bare = Assert.Single(m.Contacts);
        Assert.False(bare.Uri!.HasParameter("transport"));
        Assert.Equal("tcp", bare.Parameters.Get("transport"));
        Assert.Equal("60", bare.Parameters.Get("expires"));

        m = Parse(Invite("Contact: <sip:a@example.com;transport=tcp>;expires=60\r\n"));
        var angled = Assert.Single(m.Contacts);
        Assert.Equal("tcp", angled.Uri!.GetParameter("transport"));
        Assert.False(angled.Parameters.Contains("transport"));
        Assert.Equal("60", angled.Parameters.Get("expires"));
    }

    [Fact]
    public void Unquoted_display_name_tokens_are_joined_by_one_space()
    {
        var m = Parse(Invite("").Replace("From: <sip:a@example.com>;tag=1", "From: Alice   Liddell <sip:a@example.com>;tag=1", StringComparison.Ordinal));
        Assert.Equal("Alice Liddell", m.From.DisplayName);
        Assert.Equal("1", m.From.Tag);
    }

    [Theory]
    [InlineData("From: \"unterminated <sip:a@example.com>;tag=1", "From")]
    [InlineData("From: <sip:a@example.com;tag=1", "From")]
    [InlineData("From: sip:a@example.com?x=y;tag=1", "From")]
    [InlineData("From: <sip:a@[2001:db8::1>;tag=1", "From")]
    [InlineData("From: <sip:a@example.com>;tag=", "From")]
    [InlineData("From: <sip:a@example.com:70000>;tag=1", "From")]
    public void Malformed_from_values_are_400_naming_the_header(string fromLine, string header)
    {
        var text = Invite("").Replace("From: <sip:a@example.com>;tag=1", fromLine, StringComparison.Ordinal);
        var error = ParseError(text);
        Assert.Equal(header, error.Header);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Uri_parameters_and_headers_are_kept_apart()
    {
        var uri = SipUri.Parse("sip:alice@example.com;transport=tcp;lr?Subject=hi%20there&Priority=urgent");
        Assert.Equal("tcp", uri.GetParameter("transport"));
        Assert.True(uri.HasParameter("lr"));
        Assert.Null(uri.GetParameter("Subject"));
        Assert.Equal("Subject=hi%20there&Priority=urgent", uri.Headers);
        Assert.Equal("hi%20there", uri.GetHeaderField("subject"));
        Assert.Equal("urgent", uri.GetHeaderField("Priority"));
        Assert.Null(uri.GetHeaderField("lr"));
        Assert.Equal("sip:alice@example.com;transport=tcp;lr?Subject=hi%20there&Priority=urgent", uri.ToString());
    }

    [Fact]
    public void Ipv6_references_parse_in_request_uri_via_and_contact()
    {
        var m = (SipRequest)Parse("OPTIONS sip:[2001:db8::10]:5070 SIP/2.0\r\n" +
                                  "Via: SIP/2.0/UDP [2001:db8::9:1]:6050;received=[2001:db8::9:255];branch=z9hG4bK1\r\n" +
                                  "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@[2001:db8::2]>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n" +
                                  "Contact: \"C\" <sip:c@[::ffff:192.0.2.2]:5080;transport=tcp>\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal("[2001:db8::10]", m.Uri!.Host);
        Assert.Equal(5070, m.Uri.Port);
        Assert.Equal("[2001:db8::9:1]", m.TopVia!.Host);
        Assert.Equal(6050, m.TopVia.Port);
        Assert.Equal("[2001:db8::9:255]", m.TopVia.Received);
        Assert.Equal("[2001:db8::2]", m.To.Uri!.Host);
        Assert.Equal("[::ffff:192.0.2.2]", m.Contacts[0].Uri!.Host);
        Assert.Equal(5080, m.Contacts[0].Uri!.Port);
    }

    [Fact]
    public void Rfc5118_port_ambiguous_uri_has_no_port_inside_the_brackets()
    {
        var m = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(TestData.Rfc5118Dir, "port-ambiguous")), out var error)!;
        Assert.Null(error);
        Assert.Equal("[2001:db8::10:5070]", m.Uri!.Host);
        Assert.Null(m.Uri.Port);
    }

    [Fact]
    public void Via_received_without_brackets_keeps_the_ipv6_address()
    {
        var m = SipParser.Parse(File.ReadAllBytes(Path.Combine(TestData.Rfc5118Dir, "via-received-param-no-delim")), out var error)!;
        Assert.Null(error);
        Assert.Equal("2001:db8::9:255", m.TopVia!.Received);
        Assert.Equal("z9hG4bKas3", m.TopVia.Branch);
    }

    [Fact]
    public void Quoted_string_escapes_survive_parse_and_write()
    {
        var m = Parse(Invite("").Replace("From: <sip:a@example.com>;tag=1", "From: \"a \\\\ b \\\" c\" <sip:a@example.com>;tag=1", StringComparison.Ordinal));
        Assert.Equal("\"a \\\\ b \\\" c\"", m.From.DisplayName);
        var again = SipParser.Parse(SipWriter.Write(m), out var error)!;
        Assert.Null(error);
        Assert.Equal(m.From.DisplayName, again.From.DisplayName);
    }

    [Fact]
    public void Multipart_delimiter_counts_only_at_the_start_of_a_line()
    {
        const string body = "preamble\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nthis line mentions --xyz mid-line\r\n--xyz\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--xyz--\r\n";
        Assert.True(SipMultipart.TrySplit(Encoding.ASCII.GetBytes(body), "xyz", out var parts));
        Assert.Equal(2, parts.Count);
        Assert.Equal("this line mentions --xyz mid-line", Encoding.ASCII.GetString(parts[0].Content));
        Assert.Equal("application/sdp", parts[1].ContentType);
        Assert.Equal("v=0\r\n", Encoding.ASCII.GetString(parts[1].Content));
    }

    [Theory]
    [InlineData("multipart/mixed; boundary=\"a;b=c\"", "a;b=c")]
    [InlineData("multipart/mixed;charset=\"x;boundary=no\"; BOUNDARY = plain ", "plain")]
    [InlineData("multipart/mixed; boundary=\"q\\\"uote\"", "q\"uote")]
    [InlineData("application/sdp", null)]
    public void Multipart_boundary_is_read_with_quotes_and_escapes(string contentType, string? boundary) =>
        Assert.Equal(boundary, SipMultipart.Boundary(contentType));

    [Fact]
    public void Parsed_message_can_be_changed_and_written()
    {
        var m = Parse(Invite("Subject: s\r\nX-A: 1\r\nX-A: 2\r\n", "hello"));
        m.SetHeader("x-a", "3");
        m.InsertHeader(0, "Route", "<sip:p.example.com;lr>");
        m.RemoveHeader("Subject");
        m.ReplaceTopVia(new SipVia("TCP", "b.example.com", 5070, "z9hG4bK2"));
        m.Body = Encoding.ASCII.GetBytes("bye");
        var again = Parse(Encoding.UTF8.GetString(SipWriter.Write(m)));
        Assert.Equal(["3"], again.GetValues("X-A"));
        Assert.Null(again.GetHeader("Subject"));
        Assert.Equal("Route", again.Headers[0].Name);
        Assert.Equal("b.example.com", again.TopVia!.Host);
        Assert.Equal("z9hG4bK2", again.TopVia.Branch);
        Assert.Equal("bye", Encoding.ASCII.GetString(again.Body));
        Assert.Equal(3, again.ContentLength);
    }

    [Fact]
    public void Writer_to_a_buffer_writer_matches_the_array_writer()
    {
        var m = SipParser.Parse(TestData.Rfc4475("wsinv"), out _)!;
        var output = new ArrayBufferWriter<byte>();
        var n = SipWriter.Write(m, output);
        Assert.Equal(SipWriter.Write(m), output.WrittenSpan.ToArray());
        Assert.Equal(n, output.WrittenCount);
    }

    [Fact]
    public void Parsing_allocates_little_beyond_the_received_bytes()
    {
        var bytes = Encoding.ASCII.GetBytes(Invite("Contact: <sip:a@192.0.2.1:5060>\r\nAllow: INVITE, ACK, BYE\r\nContent-Type: application/sdp\r\n", "v=0\r\ns=-\r\n"));
        for (var i = 0; i < 20; i++)
        {
            SipParser.Parse(bytes, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var m = SipParser.Parse(bytes, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Null(error);
        Assert.NotNull(m);

        // The owned copy of the bytes, the header table and the message object; no strings or typed views.
        Assert.True(allocated <= bytes.Length + 800, $"parsing {bytes.Length} bytes allocated {allocated} bytes");
    }

    public static TheoryData<string> Rfc5118Valid => new()
    {
        "ipv4-mapped-ipv6", "ipv6-correct-abnf-2-colons", "ipv6-good", "ipv6-in-sdp", "mult-ip-in-header", "mult-ip-in-sdp",
        "port-ambiguous", "port-unambiguous", "via-received-param-no-delim", "via-received-param-with-delim",
    };

    [Theory]
    [MemberData(nameof(Rfc5118Valid))]
    public void Valid_rfc5118_messages_round_trip_through_the_writer(string name)
    {
        var m = SipParser.Parse(File.ReadAllBytes(Path.Combine(TestData.Rfc5118Dir, name)), out var error)!;
        Assert.Null(error);
        AssertSameMessage(m, SipParser.Parse(SipWriter.Write(m), out var again) ?? throw new InvalidOperationException(again?.ToString()));
        Assert.Null(again);
    }

    [Theory]
    [InlineData("unreason")]
    [InlineData("noreason")]
    [InlineData("wsinv")]
    [InlineData("mpart01")]
    [InlineData("esc01")]
    [InlineData("longreq")]
    [InlineData("intmeth")]
    public void Rfc4475_messages_round_trip_field_by_field(string name)
    {
        var m = SipParser.Parse(TestData.Rfc4475(name), out var error)!;
        Assert.Null(error);
        var bytes = SipWriter.Write(m);
        var again = SipParser.Parse(bytes, out error)!;
        Assert.Null(error);
        AssertSameMessage(m, again);
        Assert.Equal(bytes, SipWriter.Write(again)); // writing is a fixed point after one round
    }

    private static void AssertSameMessage(SipMessage expected, SipMessage actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        if (expected is SipRequest rq)
        {
            var r = (SipRequest)actual;
            Assert.Equal(rq.Method, r.Method);
            Assert.Equal(rq.RequestUriText, r.RequestUriText);
        }
        else
        {
            var rs = (SipResponse)expected;
            var r = (SipResponse)actual;
            Assert.Equal(rs.StatusCode, r.StatusCode);
            Assert.Equal(rs.ReasonPhrase, r.ReasonPhrase);
        }

        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Headers.Where(h => h.Name != "Content-Length"), actual.Headers.Where(h => h.Name != "Content-Length"));
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(expected.Vias.Select(v => v.ToString()), actual.Vias.Select(v => v.ToString()));
        Assert.Equal(expected.From.ToString(), actual.From.ToString());
        Assert.Equal(expected.To.ToString(), actual.To.ToString());
        Assert.Equal(expected.CSeq, actual.CSeq);
        Assert.Equal(expected.Contacts.Select(c => c.ToString()), actual.Contacts.Select(c => c.ToString()));
    }
}
