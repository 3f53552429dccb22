using Pipeline.Codecs.G711;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

public class G711CodecTests
{
    [Fact]
    public void Codecs_describe_themselves_as_8kHz_mono_with_rtpmap_names()
    {
        IAudioEncoder[] encoders = [new MuLawEncoder(), new ALawEncoder()];
        IAudioDecoder[] decoders = [new MuLawDecoder(), new ALawDecoder()];
        Assert.Equal(["PCMU", "PCMA"], encoders.Select(e => e.Name));
        Assert.Equal(["PCMU", "PCMA"], decoders.Select(e => e.Name));
        foreach (var e in encoders)
        {
            Assert.Equal(SampleRate.Hz8000, e.SampleRate);
            Assert.Equal(new RtpClockRate(8000), e.RtpClockRate);
            Assert.Equal(1, e.Channels);
            Assert.Equal(160, e.GetMaxEncodedLength(160));
        }

        foreach (var d in decoders)
        {
            Assert.Equal(SampleRate.Hz8000, d.SampleRate);
            Assert.Equal(new RtpClockRate(8000), d.RtpClockRate);
            Assert.Equal(1, d.Channels);
            Assert.Equal(160, d.GetSampleCount(new byte[160]));
        }
    }

    [Fact]
    public void Encode_into_a_too_small_payload_throws_naming_the_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MuLawEncoder().Encode(new short[160], new byte[100]));
        Assert.Contains("160", ex.Message);
        Assert.Contains("100", ex.Message);
    }

    [Fact]
    public void Decode_into_a_too_small_buffer_throws()
    {
        Assert.Throws<ArgumentException>(() => new ALawDecoder().Decode(new byte[160], new short[10]));
    }

    [Fact]
    public void Conceal_produces_silence()
    {
        var pcm = Enumerable.Repeat((short)1234, 160).ToArray();
        new MuLawDecoder().Conceal(pcm);
        Assert.All(pcm, s => Assert.Equal(0, s));
        pcm.AsSpan().Fill(-77);
        new ALawDecoder().Conceal(pcm);
        Assert.All(pcm, s => Assert.Equal(0, s));
    }

    [Fact]
    public void Encode_and_decode_allocate_nothing()
    {
        IAudioEncoder[] encoders = [new MuLawEncoder(), new ALawEncoder()];
        IAudioDecoder[] decoders = [new MuLawDecoder(), new ALawDecoder()];
        var pcm = new short[160];
        for (int i = 0; i < pcm.Length; i++) pcm[i] = (short)(i * 97);
        var payload = new byte[160];
        var back = new short[160];
        for (int k = 0; k < 2; k++)
        {
            encoders[k].Encode(pcm, payload); // warm up (JIT, static tables)
            decoders[k].Decode(payload, back);
            decoders[k].Conceal(back);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            for (int k = 0; k < 2; k++)
            {
                encoders[k].Encode(pcm, payload);
                decoders[k].Decode(payload, back);
                decoders[k].Conceal(back);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
