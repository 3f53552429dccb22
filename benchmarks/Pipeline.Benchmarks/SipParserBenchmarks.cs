using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Pipeline.Sip.Messages;

namespace Pipeline.Benchmarks;

/// <summary>
/// SIP parsing: a typical ~700-byte INVITE with SDP, and RFC 4475's whitespace-heavy wsinv.
/// <para>
/// What <c>Parse*</c> measures: the whole of <see cref="SipParser.Parse(System.ReadOnlySpan{byte}, out SipParseError?)"/> as
/// the transports call it — copy of the datagram, framing (start line, header lines with folding, body by Content-Length),
/// the header index, and the complete validation a received message gets before the stack acts on it (required and
/// single-valued headers; Via, From, To, Contact, Route, Record-Route, CSeq and its method, Call-ID, Max-Forwards,
/// Content-Type, Content-Length, Request-URI). Nothing is deferred: the everyday shapes are checked on the bytes
/// (<see cref="SipFastValidator"/>), anything else by the full char-based validators (<c>ParseInviteFullValidation</c>
/// shows that path's cost on the same INVITE). What it allocates is the message: the <see cref="SipRequest"/> object, its
/// owned copy of the datagram and its header index (16 bytes a line).
/// </para>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class SipParserBenchmarks
{
    private byte[] _invite = [];
    private byte[] _wsinv = [];
    private SipMessage? _parsedInvite;
    private SipMessage? _parsedWsinv;
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    [GlobalSetup]
    public void Setup()
    {
        const string sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
                           "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
                           "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
        var invite = "INVITE sip:bob@192.0.2.20:5060 SIP/2.0\r\n" +
                     "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
                     "Max-Forwards: 70\r\n" +
                     "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n" +
                     "To: <sip:bob@example.com>\r\n" +
                     "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
                     "CSeq: 314159 INVITE\r\n" +
                     "Contact: <sip:alice@192.0.2.10:5060>\r\n" +
                     "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n" +
                     "Supported: replaces, timer\r\n" +
                     "User-Agent: Pipeline/0.1\r\n" +
                     "Content-Type: application/sdp\r\n" +
                     $"Content-Length: {sdp.Length}\r\n\r\n{sdp}";
        _invite = Encoding.ASCII.GetBytes(invite);
        var root = Environment.GetEnvironmentVariable("PIPELINE_TESTDATA") is { Length: > 0 } r ? r : "/work/shared/testdata";
        _wsinv = File.ReadAllBytes(Path.Combine(root, "sip", "rfc4475", "wsinv.dat"));
        _parsedInvite = SipParser.Parse(_invite, out _);
        _parsedWsinv = SipParser.Parse(_wsinv, out _);
    }

    [Benchmark(Baseline = true)]
    public object? ParseInviteWithSdp() => SipParser.Parse(_invite, out _);

    [Benchmark]
    public object? ParseWsinv() => SipParser.Parse(_wsinv, out _);

    /// <summary>The same INVITE through the full (char-based) validation only: what a message that misses the byte-level fast path costs.</summary>
    [Benchmark]
    public object? ParseInviteFullValidation() => SipParser.ParseOwned(_invite.AsSpan().ToArray(), out _, fastPath: false);

    [Benchmark]
    public byte[] WriteInviteWithSdp() => SipWriter.Write(_parsedInvite!);

    [Benchmark]
    public int WriteInviteToBufferWriter()
    {
        _output.ResetWrittenCount();
        return SipWriter.Write(_parsedInvite!, _output);
    }

    [Benchmark]
    public byte[] WriteWsinv() => SipWriter.Write(_parsedWsinv!);

    /// <summary>
    /// Parse, then read what the transaction and dialog layers read of an INVITE: top Via branch, From and To tags, Call-ID,
    /// CSeq, Contact URI. The typed views are built on first use (strings, parameter lists, a <see cref="SipUri"/>), so this
    /// allocates beyond the message.
    /// </summary>
    [Benchmark]
    public int ParseInviteAndReadDialogHeaders()
    {
        var m = SipParser.Parse(_invite, out _)!;
        return m.TopVia!.Branch!.Length + m.From.Tag!.Length + (m.To.Tag is null ? 0 : 1) + m.CallId.Length + (int)m.CSeq.Number +
               m.Contacts[0].Uri!.Host.Length;
    }
}
