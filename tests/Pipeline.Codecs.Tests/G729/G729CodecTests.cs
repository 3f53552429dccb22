using Pipeline.Codecs.G729;
using Pipeline.Core.Media;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G729;

public sealed class G729CodecTests(ITestOutputHelper output)
{
    [RequiresBcg729Fact]
    public void Annex_a_encoder_makes_two_10_byte_frames_per_20ms_even_for_silence()
    {
        using var enc = new G729Encoder(annexB: false);
        var pcm = G729TestSignals.Speech(1);
        var payload = new byte[enc.GetMaxEncodedLength(160)];
        Assert.Equal(20, payload.Length);
        for (int i = 0; i + 160 <= pcm.Length; i += 160)
        {
            Assert.Equal(20, enc.Encode(pcm.AsSpan(i, 160), payload));
        }

        Assert.Equal(20, enc.Encode(new short[160], payload));
        Assert.Equal(10, enc.Encode(new short[80], payload));
    }

    [RequiresBcg729Fact]
    public void Round_trip_of_speech_like_signal_correlates_with_the_input()
    {
        var pcm = G729TestSignals.Speech(3);
        using var enc = new G729Encoder(annexB: false);
        using var dec = new G729Decoder();
        var decoded = new short[pcm.Length];
        var payload = new byte[20];
        for (int i = 0; i + 160 <= pcm.Length; i += 160)
        {
            int n = enc.Encode(pcm.AsSpan(i, 160), payload);
            Assert.Equal(160, dec.GetSampleCount(payload.AsSpan(0, n)));
            Assert.Equal(160, dec.Decode(payload.AsSpan(0, n), decoded.AsSpan(i, 160)));
        }

        var (lag, r) = G729Measure.Aligned(pcm, decoded);
        output.WriteLine($"G.729A round trip: correlation {r:F3} at lag {lag} samples");
        Assert.True(r > 0.8, $"correlation {r:F3} at lag {lag}");
        Assert.InRange(lag, 0, 80);
    }

    [RequiresBcg729Fact]
    public void Encoder_rejects_partial_frames_and_short_buffers_naming_the_problem()
    {
        using var enc = new G729Encoder();
        var ex = Assert.Throws<ArgumentException>(() => enc.Encode(new short[100], new byte[20]));
        Assert.Contains("multiple of 80", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => enc.Encode(new short[160], new byte[12]));
        Assert.Contains("12 bytes", ex.Message);
        Assert.Equal(0, enc.GetMaxEncodedLength(0));
        Assert.Equal(10, enc.GetMaxEncodedLength(1));
        Assert.Equal(30, enc.GetMaxEncodedLength(240));
    }

    [RequiresBcg729Fact]
    public void Decoder_counts_speech_frames_and_a_trailing_sid_frame()
    {
        using var dec = new G729Decoder();
        Assert.Equal(0, dec.GetSampleCount([]));
        Assert.Equal(80, dec.GetSampleCount(new byte[2]));
        Assert.Equal(80, dec.GetSampleCount(new byte[10]));
        Assert.Equal(160, dec.GetSampleCount(new byte[20]));
        Assert.Equal(240, dec.GetSampleCount(new byte[22]));
        Assert.Equal(160, dec.GetSampleCount(new byte[13])); // a 3-byte remainder is not G.729A/B: one erased frame
        var ex = Assert.Throws<ArgumentException>(() => dec.Decode(new byte[22], new short[160]));
        Assert.Contains("room for 160", ex.Message);
    }

    [RequiresBcg729Fact]
    public void Concealment_after_speech_continues_the_sound_then_fades()
    {
        var pcm = G729TestSignals.Speech(1);
        using var enc = new G729Encoder(annexB: false);
        using var dec = new G729Decoder();
        var payload = new byte[20];
        var frame = new short[160];
        for (int i = 0; i + 160 <= pcm.Length; i += 160)
        {
            enc.Encode(pcm.AsSpan(i, 160), payload);
            dec.Decode(payload, frame);
        }

        double last = Pipeline.Devices.AudioAnalysis.RmsDbfs(frame);
        var first = new short[100]; // not a whole frame: cut from one
        dec.Conceal(first);
        double early = Pipeline.Devices.AudioAnalysis.RmsDbfs(first);
        var later = new short[1600];
        dec.Conceal(later);
        double late = Pipeline.Devices.AudioAnalysis.RmsDbfs(later.AsSpan(1440));
        output.WriteLine($"last decoded {last:F1} dBFS, first concealed {early:F1} dBFS, 200 ms later {late:F1} dBFS");
        Assert.True(early > last - 12, "the first concealed frame continues the sound");
        Assert.True(late < early - 6, "a long erasure fades");
    }

    [RequiresBcg729Fact]
    public void Disposed_codec_throws_ObjectDisposedException()
    {
        var enc = new G729Encoder();
        var dec = new G729Decoder();
        enc.Dispose();
        dec.Dispose();
        Assert.Throws<ObjectDisposedException>(() => enc.Encode(new short[80], new byte[10]));
        Assert.Throws<ObjectDisposedException>(() => dec.Decode(new byte[10], new short[80]));
        Assert.Throws<ObjectDisposedException>(() => dec.Conceal(new short[80]));
    }

    [Fact]
    public void Codec_info_is_pt_18_at_8000_hz_and_registers_on_demand()
    {
        Assert.Equal("G729", G729Codec.Info.Name);
        Assert.Equal(18, G729Codec.Info.StaticPayloadType);
        Assert.Equal(new RtpClockRate(8000), G729Codec.Info.RtpClockRate);
        Assert.Equal(SampleRate.Hz8000, G729Codec.Info.SampleRate);
        Assert.Equal(TimeSpan.FromMilliseconds(20), G729Codec.Info.DefaultPtime);
        Assert.False(CodecRegistry.CreateDefault().TryGet("G729", out _)); // optional: never in the default set
        var registry = CodecRegistry.CreateDefault();
        G729Codec.Register(registry);
        Assert.True(registry.TryGetByStaticPayloadType(18, out var info));
        Assert.Same(G729Codec.Info, info);
    }

    [RequiresBcg729Fact]
    public void Registered_codec_creates_working_encoder_and_decoder()
    {
        var registry = new CodecRegistry();
        G729Codec.Register(registry, annexB: false);
        var enc = registry.CreateEncoder("g729");
        var dec = registry.CreateDecoder("G729");
        Assert.Equal("G729", enc.Name);
        Assert.False(((G729Encoder)enc).AnnexB);
        var payload = new byte[20];
        Assert.Equal(20, enc.Encode(new short[160], payload));
        Assert.Equal(160, dec.Decode(payload, new short[160]));
        ((IDisposable)enc).Dispose();
        ((IDisposable)dec).Dispose();
    }
}
