using Pipeline.Codecs.G711;
using Pipeline.Codecs.G722;
using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

public class CodecRegistryFormatTests
{
    /// <summary>An encoder that only records the format it was made for (stands in for Opus, G.729, iLBC).</summary>
    private sealed class FakeEncoder(CodecFormat format, SampleRate rate, int channels = 1) : IAudioEncoder
    {
        public CodecFormat Format { get; } = format;

        public string Name => Format.Name;

        public SampleRate SampleRate { get; } = rate;

        public RtpClockRate RtpClockRate => Format.ClockRate;

        public int Channels { get; } = channels;

        public int GetMaxEncodedLength(int samplesPerChannel) => samplesPerChannel;

        public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload) => 0;
    }

    [Fact]
    public void Format_aware_factory_receives_the_negotiated_parameters()
    {
        var r = new CodecRegistry();
        CodecFormat? seen = null;
        r.Register(StandardCodecs.Opus, f => new FakeEncoder(seen = f, OpusFmtp.Parse(f.Parameters).MaxPlaybackRate == 16000 ? SampleRate.Hz16000 : SampleRate.Hz48000), _ => new G722Decoder());
        var format = new CodecFormat("OPUS", new RtpClockRate(48000), 2)
        {
            PayloadType = 111,
            Parameters = FmtpParameters.Parse("maxplaybackrate=16000;useinbandfec=1"),
            Ptime = TimeSpan.FromMilliseconds(20),
        };

        var enc = r.CreateEncoder(format);

        Assert.Same(format, seen);
        Assert.Equal(SampleRate.Hz16000, enc.SampleRate); // the encoder chose its rate from maxplaybackrate
        Assert.True(OpusFmtp.Parse(seen!.Parameters).UseInbandFec);
    }

    [Fact]
    public void Creating_by_name_passes_the_default_format()
    {
        var r = new CodecRegistry();
        CodecFormat? seen = null;
        r.Register(StandardCodecs.Ilbc, f => new FakeEncoder(seen = f, SampleRate.Hz8000), _ => new MuLawDecoder());
        r.CreateEncoder("ilbc");
        Assert.Equal("mode=30", seen!.Parameters.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(30), seen.Ptime);
        Assert.Null(seen.PayloadType); // dynamic: allocated per offer
    }

    [Fact]
    public void Old_parameterless_factories_still_register_and_work()
    {
        var r = new CodecRegistry();
        r.Register(StandardCodecs.Pcmu, () => new MuLawEncoder(), () => new MuLawDecoder());
        Assert.IsType<MuLawEncoder>(r.CreateEncoder(new CodecFormat("PCMU", new RtpClockRate(8000))));
        Assert.IsType<MuLawDecoder>(r.CreateDecoder(new CodecFormat("pcmu", new RtpClockRate(8000))));
    }

    [Fact]
    public void A_format_with_another_clock_is_not_found_and_says_why()
    {
        var r = CodecRegistry.CreateDefault();
        var ex = Assert.Throws<KeyNotFoundException>(() => r.CreateEncoder(new CodecFormat("G722", new RtpClockRate(16000))));
        Assert.Contains("G722/16000", ex.Message);
        Assert.Contains("8000", ex.Message);
    }

    [Fact]
    public void A_factory_whose_encoder_runs_on_another_clock_is_refused_naming_the_codec()
    {
        var r = new CodecRegistry();
        r.Register(StandardCodecs.Opus, () => new MuLawEncoder(), () => new MuLawDecoder());
        var ex = Assert.Throws<InvalidOperationException>(() => r.CreateEncoder("opus"));
        Assert.Contains("opus", ex.Message);
        Assert.Contains("48000", ex.Message);
    }

    [Fact]
    public void A_static_payload_type_taken_by_another_codec_is_refused()
    {
        var r = CodecRegistry.CreateDefault();
        var clash = new CodecInfo("X-PCMU", 0, new RtpClockRate(8000), SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(20));
        var ex = Assert.Throws<ArgumentException>(() => r.Register(clash, () => new MuLawEncoder(), () => new MuLawDecoder()));
        Assert.Contains("PCMU", ex.Message);
        var dynamicRange = clash with { Name = "X", StaticPayloadType = 100 };
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Register(dynamicRange, () => new MuLawEncoder(), () => new MuLawDecoder()));
        Assert.Throws<ArgumentException>(() => r.Register(clash with { Name = "telephone-event", StaticPayloadType = null }, () => new MuLawEncoder(), () => new MuLawDecoder()));
    }

    [Fact]
    public void Standard_descriptions_state_the_rfc_rtpmaps()
    {
        Assert.Equal("opus/48000/2", StandardCodecs.Opus.RtpMap);
        Assert.Equal(1, StandardCodecs.Opus.Channels);
        Assert.Null(StandardCodecs.Opus.StaticPayloadType);
        Assert.Equal("G722/8000", StandardCodecs.G722.RtpMap);
        Assert.Equal(SampleRate.Hz16000, StandardCodecs.G722.SampleRate);
        Assert.Equal(9, StandardCodecs.G722.StaticPayloadType);
        Assert.Equal(18, StandardCodecs.G729.StaticPayloadType);
        Assert.True(StandardCodecs.G729.DefaultFmtp.IsEmpty); // Annex B allowed (absent means yes)
        Assert.Equal("iLBC/8000", StandardCodecs.Ilbc.RtpMap);
        Assert.Equal(TimeSpan.FromMilliseconds(20), StandardCodecs.Ilbc.FrameDuration!(FmtpParameters.Parse("mode=20")));
        Assert.Same(StandardCodecs.G722, CodecRegistry.CreateDefault().Get("g722"));
    }
}
