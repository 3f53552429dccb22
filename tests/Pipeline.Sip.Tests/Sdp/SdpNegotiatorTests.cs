using System.Net;
using System.Text;
using Pipeline.Sip.Media;
using Pipeline.Sip.Sdp;

namespace Pipeline.Sip.Tests.Sdp;

public sealed class SdpNegotiatorTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 20000);

    private static SdpSessionDescription Offer(string media, string connection = "192.0.2.20", string extra = "")
    {
        var text = $"v=0\r\no=peer 42 7 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 {connection}\r\nt=0 0\r\n{media}{extra}";
        Assert.True(SdpSessionDescription.TryParse(Encoding.ASCII.GetBytes(text), out var sdp, out var error), error);
        return sdp!;
    }

    private static NegotiatedMedia Answer(SdpNegotiator n, SdpSessionDescription offer, out SdpSessionDescription answer)
    {
        Assert.True(n.TryCreateAnswer(offer, SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, out var a, out var media, out _, out var why), why);
        answer = a!;
        return media!;
    }

    [Fact]
    public void Answer_keeps_offerer_order_restricted_to_supported_codecs_with_offered_payload_types()
    {
        var n = new SdpNegotiator(["PCMU", "PCMA", "telephone-event"]);
        var offer = Offer("m=audio 30000 RTP/AVP 9 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=ptime:30\r\n");

        var media = Answer(n, offer, out var answer);

        Assert.Equal("PCMA", media.Codec.Name);
        Assert.Equal(["PCMA", "PCMU", "telephone-event"], media.Codecs.Select(c => c.Name));
        Assert.Equal(96, media.TelephoneEventPayloadType);
        Assert.Equal(["8", "0", "96"], answer.Media[0].Formats);
        Assert.Equal("0-15", answer.Media[0].GetFmtp("96"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.20"), 30000), media.RemoteRtp);
        Assert.Equal(30001, media.RemoteRtcp!.Port);
        Assert.Equal(TimeSpan.FromMilliseconds(30), media.PacketTime);
        Assert.Equal(20000, answer.Media[0].Port);
        Assert.Equal("192.0.2.10", answer.Connection!.Address);
    }

    [Theory]
    [InlineData("sendonly", MediaDirection.RecvOnly, "recvonly")]
    [InlineData("recvonly", MediaDirection.SendOnly, "sendonly")]
    [InlineData("inactive", MediaDirection.Inactive, "inactive")]
    [InlineData("sendrecv", MediaDirection.SendRecv, "sendrecv")]
    public void Answer_direction_follows_rfc3264(string offered, MediaDirection ours, string answered)
    {
        var media = Answer(new SdpNegotiator(["PCMU"]), Offer($"m=audio 30000 RTP/AVP 0\r\na={offered}\r\n"), out var answer);
        Assert.Equal(ours, media.Direction);
        Assert.True(answer.Media[0].HasFlag(answered));
    }

    [Fact]
    public void Connection_0000_hold_is_treated_as_sendonly_from_the_peer()
    {
        var media = Answer(new SdpNegotiator(["PCMU"]), Offer("m=audio 30000 RTP/AVP 0\r\n", connection: "0.0.0.0"), out _);
        Assert.Equal(MediaDirection.RecvOnly, media.Direction);
        Assert.False(media.CanSend);
    }

    [Fact]
    public void No_common_codec_fails_with_warning_305_and_reason()
    {
        var n = new SdpNegotiator(["PCMU"]);
        Assert.False(n.TryCreateAnswer(Offer("m=audio 30000 RTP/AVP 8 18\r\n"), SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, out _, out _, out var warn, out var why));
        Assert.Equal(305, warn);
        Assert.Contains("codec", why);
    }

    [Fact]
    public void No_audio_stream_fails_with_warning_304()
    {
        var n = new SdpNegotiator(["PCMU"]);
        Assert.False(n.TryCreateAnswer(Offer("m=video 30000 RTP/AVP 31\r\n"), SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, out _, out _, out var warn, out _));
        Assert.Equal(304, warn);
    }

    [Fact]
    public void Non_audio_streams_are_refused_with_port_0_in_the_answer()
    {
        Answer(new SdpNegotiator(["PCMU"]), Offer("m=audio 30000 RTP/AVP 0\r\nm=video 30002 RTP/AVP 31\r\n"), out var answer);
        Assert.Equal(2, answer.Media.Count);
        Assert.Equal(0, answer.Media[1].Port);
    }

    [Fact]
    public void Unknown_codec_name_throws_naming_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SdpNegotiator(["PCMU", "OPUSX"]));
        Assert.Contains("OPUSX", ex.Message);
    }

    [Fact]
    public void Offer_lists_codecs_with_static_and_dynamic_types_and_version_grows()
    {
        var n = new SdpNegotiator(["G722", "PCMU", "telephone-event"]);
        var state = SdpNegotiator.NewSession();
        var first = n.CreateOffer(state, Local, MediaDirection.SendRecv);
        var second = n.CreateOffer(state, Local, MediaDirection.SendOnly);

        Assert.Equal(["9", "0", "101"], first.Media[0].Formats);
        Assert.Equal(("G722", 8000, 1), first.Media[0].GetRtpMap("9"));
        Assert.Equal("0-16", first.Media[0].GetFmtp("101"));
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(first.SessionVersion + 1, second.SessionVersion);
        Assert.True(second.Media[0].HasFlag("sendonly"));
    }

    [Fact]
    public void Processing_an_answer_yields_our_direction_and_their_address()
    {
        var n = new SdpNegotiator(["PCMU", "PCMA"]);
        var offer = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv);
        var answer = Offer("m=audio 31000 RTP/AVP 8\r\na=rtcp:31005\r\na=recvonly\r\n");

        Assert.True(n.TryProcessAnswer(offer, answer, MediaDirection.SendRecv, out var media, out var why), why);
        Assert.Equal("PCMA", media!.Codec.Name);
        Assert.Equal(MediaDirection.SendOnly, media.Direction);
        Assert.Equal(31005, media.RemoteRtcp!.Port);
    }

    [Fact]
    public void Sdp_writer_output_parses_back_to_the_same_text()
    {
        var offer = new SdpNegotiator(["PCMU", "telephone-event"]).CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv);
        Assert.True(SdpSessionDescription.TryParse(offer.ToBytes(), out var again, out _));
        Assert.Equal(offer.ToString(), again!.ToString());
    }
}
