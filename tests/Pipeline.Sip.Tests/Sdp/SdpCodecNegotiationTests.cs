using System.Net;
using System.Text;
using Pipeline.Codecs;
using Pipeline.Codecs.G711;
using Pipeline.Codecs.Sdp;
using Pipeline.Sip.Media;
using Pipeline.Sip.Sdp;

namespace Pipeline.Sip.Tests.Sdp;

/// <summary>Offer/answer for every codec of the SDK, driven by the codec registry. Opus, G.729 and iLBC are registered
/// with their standard descriptions and stand-in factories: negotiation reads only the descriptions.</summary>
public sealed class SdpCodecNegotiationTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 20000);
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("192.0.2.20"), 30000);

    /// <summary>The default registry plus Opus, G.729 and iLBC with stand-in factories.</summary>
    internal static CodecRegistry AllCodecs(CodecInfo? g729 = null, CodecInfo? ilbc = null)
    {
        var r = CodecRegistry.CreateDefault();
        r.Register(StandardCodecs.Opus, () => new MuLawEncoder(), () => new MuLawDecoder());
        r.Register(g729 ?? StandardCodecs.G729, () => new MuLawEncoder(), () => new MuLawDecoder());
        r.Register(ilbc ?? StandardCodecs.Ilbc, () => new MuLawEncoder(), () => new MuLawDecoder());
        return r;
    }

    private static SdpNegotiator Negotiator(CodecRegistry registry, params string[] names) => new(names, "test", registry);

    private static SdpSessionDescription Parse(string media)
    {
        var text = $"v=0\r\no=peer 42 7 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n{media}";
        Assert.True(SdpSessionDescription.TryParse(Encoding.ASCII.GetBytes(text), out var sdp, out var error), error);
        return sdp!;
    }

    private static NegotiatedMedia Answer(SdpNegotiator n, SdpSessionDescription offer, out SdpMedia answer)
    {
        Assert.True(n.TryCreateAnswer(offer, SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, out var a, out var media, out _, out var why), why);
        Assert.True(SdpSessionDescription.TryParse(a!.ToBytes(), out var again, out _)); // what goes on the wire parses back
        answer = again!.Media[0];
        return media!;
    }

    [Fact]
    public void Offer_with_every_codec_uses_static_types_and_allocates_dynamic_ones_without_collision()
    {
        var n = Negotiator(AllCodecs(), "opus", "G722", "PCMU", "PCMA", "G729", "iLBC", "telephone-event");
        var m = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv).Media[0];

        Assert.Equal(["96", "9", "0", "8", "18", "97", "101", "98"], m.Formats);
        Assert.Equal(("opus", 48000, 2), m.GetRtpMap("96"));
        Assert.Equal("useinbandfec=1", m.GetFmtp("96"));
        Assert.Equal(("G722", 8000, 1), m.GetRtpMap("9"));
        Assert.Equal(("G729", 8000, 1), m.GetRtpMap("18"));
        Assert.Null(m.GetFmtp("18")); // Annex B allowed: absent means yes
        Assert.Equal(("iLBC", 8000, 1), m.GetRtpMap("97"));
        Assert.Equal("mode=30", m.GetFmtp("97"));
        Assert.Equal(("telephone-event", 8000, 1), m.GetRtpMap("101"));
        Assert.Equal(("telephone-event", 48000, 1), m.GetRtpMap("98")); // beside Opus, on its clock
        Assert.Equal("0-16", m.GetFmtp("98"));
        Assert.Null(m.GetFmtp("0"));
    }

    [Fact]
    public void Many_dynamic_codecs_get_distinct_payload_types_in_96_to_127_and_too_many_fail_clearly()
    {
        var r = CodecRegistry.CreateDefault();
        var names = new List<string> { "telephone-event" };
        for (int i = 0; i < 40; i++)
        {
            var name = "X" + i;
            r.Register(new CodecInfo(name, null, new Pipeline.Core.Media.RtpClockRate(8000), Pipeline.Core.Media.SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(20)), () => new MuLawEncoder(), () => new MuLawDecoder());
            names.Add(name);
        }

        var m = Negotiator(r, [.. names.Take(31)]).CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv).Media[0];
        var pts = m.Formats.Select(int.Parse).ToArray();
        Assert.Equal(31, pts.Length);
        Assert.Equal(pts.Length, pts.Distinct().Count());
        Assert.All(pts, pt => Assert.InRange(pt, 96, 127));
        Assert.Equal(("telephone-event", 8000, 1), m.GetRtpMap("101"));

        var ex = Assert.Throws<InvalidOperationException>(() => Negotiator(r, [.. names]).CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv));
        Assert.Contains("96-127", ex.Message);
    }

    [Fact]
    public void Answer_reuses_the_offerers_opus_payload_type_and_picks_telephone_event_on_the_opus_clock()
    {
        var n = Negotiator(AllCodecs(), "PCMU", "opus", "telephone-event");
        var offer = Parse("m=audio 30000 RTP/AVP 111 0 110 101\r\na=rtpmap:111 OPUS/48000/2\r\na=fmtp:111 stereo=1;useinbandfec=1;maxaveragebitrate=32000\r\na=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-15\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");

        var media = Answer(n, offer, out var answer);

        Assert.Equal("opus", media.Codec.Name);
        Assert.Equal(111, media.Codec.PayloadType);
        Assert.Equal(48000, media.Codec.ClockRate);
        Assert.Equal(2, media.Codec.Channels);
        Assert.Equal(110, media.TelephoneEventPayloadType);
        Assert.Equal(["111", "0", "110"], answer.Formats);
        Assert.Equal(("opus", 48000, 2), answer.GetRtpMap("111"));
        Assert.Equal("useinbandfec=1", answer.GetFmtp("111")); // the answer states our own receive preferences
        Assert.Equal("0-15", answer.GetFmtp("110"));

        // The encoder follows the peer's wishes.
        var format = media.Codec.ToCodecFormat(media.PacketTime);
        var peer = OpusFmtp.Parse(format.Parameters);
        Assert.True(peer.Stereo);
        Assert.True(peer.UseInbandFec);
        Assert.Equal(32000, peer.MaxAverageBitrate);
        Assert.Equal(111, format.PayloadType);
        Assert.Equal("useinbandfec=1", format.LocalParameters.ToString());
    }

    [Fact]
    public void Answer_picks_the_8000_telephone_event_when_the_chosen_codec_runs_at_8000()
    {
        var n = Negotiator(AllCodecs(), "PCMU", "opus", "telephone-event");
        var offer = Parse("m=audio 30000 RTP/AVP 0 111 110 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\na=rtpmap:101 telephone-event/8000\r\n");
        var media = Answer(n, offer, out var answer);
        Assert.Equal("PCMU", media.Codec.Name);
        Assert.Equal(101, media.TelephoneEventPayloadType);
        Assert.Equal(["0", "111", "101"], answer.Formats);
        Assert.Equal("0-15", answer.GetFmtp("101")); // absent fmtp means 0-15 (RFC 4733)
    }

    [Fact]
    public void Answer_has_no_telephone_event_when_none_matches_the_codec_clock()
    {
        var n = Negotiator(AllCodecs(), "opus", "telephone-event");
        var offer = Parse("m=audio 30000 RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n");
        var media = Answer(n, offer, out var answer);
        Assert.Null(media.TelephoneEventPayloadType);
        Assert.Equal(["111"], answer.Formats);
    }

    [Fact]
    public void G722_stays_payload_type_9_on_an_8000_clock_with_8000_telephone_events()
    {
        var a = Negotiator(AllCodecs(), "G722", "telephone-event");
        var offer = a.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv);
        Assert.Equal(["9", "101"], offer.Media[0].Formats); // no extra telephone-event clock for G722

        var media = Answer(Negotiator(AllCodecs(), "PCMU", "G722", "telephone-event"), Parse("m=audio 30000 RTP/AVP 9 101\r\na=rtpmap:101 telephone-event/8000\r\n"), out var answer);
        Assert.Equal(9, media.Codec.PayloadType);
        Assert.Equal(8000, media.Codec.ClockRate);
        Assert.Equal(101, media.TelephoneEventPayloadType);
        Assert.Equal(("G722", 8000, 1), answer.GetRtpMap("9"));
    }

    [Theory]
    [InlineData(null, null, null)]                 // both allow Annex B (absent means yes): nothing to say
    [InlineData(null, "annexb=no", "annexb=no")]   // absent in the offer means yes, but we do not want it: the answer says no
    [InlineData("annexb=yes", "", null)]
    [InlineData("annexb=no", null, "annexb=no")]   // the offerer refuses it
    public void G729_answer_sets_annexb_by_rfc_rules(string? offered, string? localDefault, string? answered)
    {
        var g729 = localDefault is null ? StandardCodecs.G729 : StandardCodecs.G729 with { DefaultFmtp = FmtpParameters.Parse(localDefault) };
        var n = Negotiator(AllCodecs(g729: g729), "G729");
        var fmtp = offered is null ? string.Empty : $"a=fmtp:18 {offered}\r\n";
        var media = Answer(n, Parse($"m=audio 30000 RTP/AVP 18\r\n{fmtp}"), out var answer); // static 18 without rtpmap
        Assert.Equal("G729", media.Codec.Name);
        Assert.Equal(18, media.Codec.PayloadType);
        Assert.Equal(answered, answer.GetFmtp("18"));
        Assert.Equal(answered, media.Codec.Fmtp); // both ends follow the answer
        Assert.Equal(answered is null, G729Fmtp.Parse(media.Codec.ToCodecFormat().Parameters).AnnexB);
    }

    [Theory]
    [InlineData("mode=20", "mode=30", "mode=30", 30)]
    [InlineData("mode=20", "mode=20", "mode=20", 20)]
    [InlineData(null, "mode=20", "mode=30", 30)]
    public void Ilbc_answer_uses_30_when_either_side_says_30_and_ptime_follows_the_mode(string? offered, string localDefault, string answered, int ptimeMs)
    {
        var ilbc = StandardCodecs.Ilbc with { DefaultFmtp = FmtpParameters.Parse(localDefault) };
        var n = Negotiator(AllCodecs(ilbc: ilbc), "iLBC");
        var fmtp = offered is null ? string.Empty : $"a=fmtp:102 {offered}\r\n";
        var media = Answer(n, Parse($"m=audio 30000 RTP/AVP 102\r\na=rtpmap:102 iLBC/8000\r\n{fmtp}"), out var answer);
        Assert.Equal(102, media.Codec.PayloadType);
        Assert.Equal(answered, answer.GetFmtp("102"));
        Assert.Equal(answered, media.Codec.Fmtp);
        Assert.Equal(TimeSpan.FromMilliseconds(ptimeMs), media.PacketTime);
        Assert.Equal("ptime:" + ptimeMs, answer.Attributes.Single(a => a.StartsWith("ptime:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Ilbc_ptime_that_is_not_a_whole_number_of_frames_is_rounded_up()
    {
        var media = Answer(Negotiator(AllCodecs(), "iLBC"), Parse("m=audio 30000 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\na=fmtp:97 mode=30\r\na=ptime:20\r\n"), out _);
        Assert.Equal(TimeSpan.FromMilliseconds(30), media.PacketTime);
    }

    [Fact]
    public void Offerer_reads_the_agreed_g729_and_ilbc_parameters_from_the_answer_by_the_same_rules()
    {
        var n = Negotiator(AllCodecs(g729: StandardCodecs.G729 with { DefaultFmtp = new G729Fmtp(AnnexB: false).ToFmtp() }), "G729", "iLBC");
        var offer = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv);

        // A sloppy peer answers G.729 without annexb (means yes) although we said no: Annex B stays off.
        Assert.True(n.TryProcessAnswer(offer, Parse("m=audio 31000 RTP/AVP 18\r\n"), MediaDirection.SendRecv, out var g729, out var why), why);
        Assert.Equal("annexb=no", g729!.Codec.Fmtp);
        Assert.Equal("annexb=no", g729.Codec.LocalFmtp);

        // iLBC answered with mode=20 although we offered 30: 30 it is.
        Assert.True(n.TryProcessAnswer(offer, Parse("m=audio 31000 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\na=fmtp:97 mode=20\r\n"), MediaDirection.SendRecv, out var ilbc, out why), why);
        Assert.Equal("iLBC", ilbc!.Codec.Name);
        Assert.Equal("mode=30", ilbc.Codec.Fmtp);
        Assert.Equal(TimeSpan.FromMilliseconds(30), ilbc.PacketTime);
    }

    [Fact]
    public void Offerer_passes_the_peers_opus_parameters_to_the_encoder_and_its_own_to_the_decoder()
    {
        var n = Negotiator(AllCodecs(), "opus", "telephone-event");
        var offer = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv);
        var answer = Parse("m=audio 31000 RTP/AVP 96 98\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 maxplaybackrate=16000;usedtx=1\r\na=rtpmap:98 telephone-event/48000\r\na=ptime:40\r\n");
        Assert.True(n.TryProcessAnswer(offer, answer, MediaDirection.SendRecv, out var media, out var why), why);
        var format = media!.Codec.ToCodecFormat(media.PacketTime);
        Assert.Equal(16000, OpusFmtp.Parse(format.Parameters).MaxPlaybackRate);
        Assert.True(OpusFmtp.Parse(format.Parameters).UseDtx);
        Assert.True(OpusFmtp.Parse(format.LocalParameters).UseInbandFec);
        Assert.Equal(2, format.Channels);
        Assert.Equal(TimeSpan.FromMilliseconds(40), format.Ptime);
        Assert.Equal(98, media.TelephoneEventPayloadType);
    }

    [Theory]
    [InlineData("PCMU", 0, 8000)]
    [InlineData("PCMA", 8, 8000)]
    [InlineData("G722", 9, 8000)]
    [InlineData("opus", 96, 48000)]
    [InlineData("G729", 18, 8000)]
    [InlineData("iLBC", 96, 8000)]
    public void Two_negotiators_agree_on_each_codec_in_both_directions(string codec, int pt, int clock)
    {
        var registry = AllCodecs();
        var a = Negotiator(registry, codec, "PCMU", "telephone-event");
        var b = Negotiator(registry, codec, "telephone-event");
        foreach (var (offerer, answerer) in new[] { (a, b), (b, a) })
        {
            var offer = offerer.CreateOffer(SdpNegotiator.NewSession(), Remote, MediaDirection.SendRecv);
            Assert.True(answerer.TryCreateAnswer(offer, SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, out var answer, out var answered, out _, out var why), why);
            Assert.True(offerer.TryProcessAnswer(offer, answer!, MediaDirection.SendRecv, out var processed, out why), why);

            foreach (var side in new[] { answered!, processed! })
            {
                Assert.Equal(codec, side.Codec.Name);
                Assert.Equal(pt, side.Codec.PayloadType);
                Assert.Equal(clock, side.Codec.ClockRate);
                var te = side.Codecs.Single(c => c.IsTelephoneEvent);
                Assert.Equal(clock, te.ClockRate);
                Assert.Equal(te.PayloadType, side.TelephoneEventPayloadType);
            }

            if (registry.Get(codec).AnswerFmtp is not null)
            {
                Assert.Equal(answered!.Codec.Fmtp, processed!.Codec.Fmtp); // one agreed value for both ends
            }

            Assert.Equal(answered!.PacketTime, processed!.PacketTime);
            Assert.Equal(answered.TelephoneEventPayloadType, processed.TelephoneEventPayloadType);
        }
    }

    [Fact]
    public void A_reoffer_keeps_the_dynamic_payload_types_of_the_running_session()
    {
        var n = Negotiator(AllCodecs(), "opus", "PCMU", "telephone-event");
        var running = Answer(n, Parse("m=audio 30000 RTP/AVP 111 0 100\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:100 telephone-event/48000\r\n"), out _);
        var reoffer = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendOnly, running).Media[0];
        Assert.Equal(("opus", 48000, 2), reoffer.GetRtpMap("111"));
        Assert.Equal(("telephone-event", 48000, 1), reoffer.GetRtpMap("100"));
        Assert.Equal(("telephone-event", 8000, 1), reoffer.GetRtpMap("101"));
    }

    [Fact]
    public void An_offer_limited_to_some_codecs_lists_them_in_that_order_and_refuses_unknown_ones()
    {
        var n = Negotiator(AllCodecs(), "PCMU", "G722", "telephone-event");
        var m = n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, null, ["G722", "PCMU"]).Media[0];
        Assert.Equal(["9", "0", "101"], m.Formats);
        var ex = Assert.Throws<ArgumentException>(() => n.CreateOffer(SdpNegotiator.NewSession(), Local, MediaDirection.SendRecv, null, ["opus"]));
        Assert.Contains("opus", ex.Message);
        Assert.Contains("G722", ex.Message);
    }

    [Fact]
    public void Unknown_codec_name_throws_naming_it_and_listing_the_registry()
    {
        var ex = Assert.Throws<ArgumentException>(() => Negotiator(CodecRegistry.CreateDefault(), "PCMU", "G729"));
        Assert.Contains("'G729'", ex.Message);
        Assert.Contains("PCMU, PCMA, G722, opus, iLBC", ex.Message);
        Assert.Contains("telephone-event", ex.Message);
        Assert.Equal("codecNames", ex.ParamName);

        // A registry with G.729 registered accepts it.
        Assert.Equal("G729", Negotiator(AllCodecs(), "PCMU", "g729").Codecs[1].Name);
    }

    [Fact]
    public void Endpoint_options_validate_codec_names_against_their_registry()
    {
        var bad = new EndpointOptions { Codecs = ["PCMU", "G729"] };
        var ex = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("'G729'", ex.Message);
        Assert.Contains("PCMU", ex.Message);
        (bad with { CodecRegistry = AllCodecs() }).Validate();
    }
}
