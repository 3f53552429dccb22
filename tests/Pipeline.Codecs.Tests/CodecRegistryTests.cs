using Pipeline.Codecs.G711;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

public class CodecRegistryTests
{
    [Fact]
    public void Default_registry_has_PCMU_as_PT0_and_PCMA_as_PT8()
    {
        var r = CodecRegistry.CreateDefault();
        var pcmu = r.Get("PCMU");
        var pcma = r.Get("PCMA");
        Assert.Equal(0, pcmu.StaticPayloadType);
        Assert.Equal(8, pcma.StaticPayloadType);
        foreach (var c in new[] { pcmu, pcma })
        {
            Assert.Equal(new RtpClockRate(8000), c.RtpClockRate);
            Assert.Equal(SampleRate.Hz8000, c.SampleRate);
            Assert.Equal(1, c.Channels);
            Assert.Equal(TimeSpan.FromMilliseconds(20), c.DefaultPtime);
        }

        Assert.Equal(["PCMU", "PCMA"], r.Codecs.Take(2).Select(c => c.Name)); // G.711 first; other codecs follow
    }

    [Fact]
    public void Lookup_ignores_case_and_creates_the_right_codec()
    {
        var r = CodecRegistry.CreateDefault();
        Assert.True(r.TryGet("pcmu", out var info));
        Assert.Equal("PCMU", info.Name);
        Assert.IsType<MuLawEncoder>(r.CreateEncoder("pcmu"));
        Assert.IsType<MuLawDecoder>(r.CreateDecoder("Pcmu"));
        Assert.IsType<ALawEncoder>(r.CreateEncoder("PCMA"));
        Assert.IsType<ALawDecoder>(r.CreateDecoder("pcma"));
    }

    [Fact]
    public void Unknown_codec_names_it_and_lists_known_ones()
    {
        var r = CodecRegistry.CreateDefault();
        var ex = Assert.Throws<KeyNotFoundException>(() => r.CreateEncoder("X-NOPE"));
        Assert.Contains("'X-NOPE'", ex.Message);
        Assert.Contains("PCMU", ex.Message);
        Assert.Contains("PCMA", ex.Message);
        Assert.Throws<KeyNotFoundException>(() => r.CreateDecoder("G729"));
        Assert.Throws<KeyNotFoundException>(() => r.Get("G729"));
        Assert.False(r.TryGet("G729", out _));
    }

    [Fact]
    public void Lookup_by_rtpmap_rate_and_static_payload_type()
    {
        var r = CodecRegistry.CreateDefault();
        Assert.True(r.TryGet("PCMA", new RtpClockRate(8000), out _));
        Assert.False(r.TryGet("PCMA", new RtpClockRate(16000), out _));
        Assert.True(r.TryGetByStaticPayloadType(8, out var pcma));
        Assert.Equal("PCMA", pcma.Name);
        Assert.False(r.TryGetByStaticPayloadType(3, out _)); // GSM: not built in (PT 9 is G722 now)
    }

    [Fact]
    public void Register_adds_a_codec_and_replaces_one_with_the_same_name()
    {
        var r = new CodecRegistry();
        Assert.Empty(r.Codecs);
        var ex = Assert.Throws<KeyNotFoundException>(() => r.Get("PCMU"));
        Assert.Contains("none", ex.Message);

        var info = new CodecInfo("X-TEST", null, new RtpClockRate(8000), SampleRate.Hz16000, 1, TimeSpan.FromMilliseconds(20));
        r.Register(info, () => new MuLawEncoder(), () => new MuLawDecoder());
        Assert.Same(info, r.Get("x-test"));
        var info2 = info with { DefaultPtime = TimeSpan.FromMilliseconds(30) };
        r.Register(info2, () => new ALawEncoder(), () => new ALawDecoder());
        Assert.Single(r.Codecs);
        Assert.IsType<ALawEncoder>(r.CreateEncoder("X-TEST"));
    }

    [Fact]
    public void Register_rejects_an_out_of_range_payload_type()
    {
        var r = new CodecRegistry();
        var info = new CodecInfo("BAD", 128, new RtpClockRate(8000), SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(20));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => r.Register(info, () => new MuLawEncoder(), () => new MuLawDecoder()));
        Assert.Contains("BAD", ex.Message);
    }
}
