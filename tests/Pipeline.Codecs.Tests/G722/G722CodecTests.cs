using Pipeline.Codecs.G722;
using Pipeline.Core.Media;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G722;

public class G722CodecTests(ITestOutputHelper output)
{
    private static short[] RoundTrip(short[] pcm)
    {
        var coded = new byte[pcm.Length / 2];
        new G722Encoder().Encode(pcm, coded);
        var decoded = new short[pcm.Length];
        new G722Decoder().Decode(coded, decoded);
        return decoded;
    }

    [Fact]
    public void Describes_itself_as_16kHz_audio_on_the_8kHz_rtp_clock()
    {
        IAudioEncoder e = new G722Encoder();
        IAudioDecoder d = new G722Decoder();
        Assert.Equal("G722", e.Name);
        Assert.Equal(SampleRate.Hz16000, e.SampleRate);
        Assert.Equal(new RtpClockRate(8000), e.RtpClockRate);
        Assert.Equal(SampleRate.Hz16000, d.SampleRate);
        Assert.Equal(new RtpClockRate(8000), d.RtpClockRate);
        Assert.Equal(160, e.GetMaxEncodedLength(320));
        Assert.Equal(320, d.GetSampleCount(new byte[160]));
    }

    [Fact]
    public void A_20ms_frame_is_160_bytes_and_decodes_to_320_samples()
    {
        var pcm = G722TestSignals.Tone(1000, 0.02, 0.3);
        var coded = new byte[200];
        Assert.Equal(160, new G722Encoder().Encode(pcm, coded));
        var decoded = new short[400];
        Assert.Equal(320, new G722Decoder().Decode(coded.AsSpan(0, 160), decoded));
    }

    [Fact]
    public void Codec_delay_is_22_samples()
    {
        // The analysis and synthesis QMF together delay the audio by 22 samples.
        var pcm = G722TestSignals.Voiced(0.5);
        var decoded = RoundTrip(pcm);
        Assert.Equal(22, G722Measure.BestLag(pcm, decoded, 60));
    }

    [Theory]
    [InlineData(1000, 0.3)]
    [InlineData(1000, 0.05)]
    [InlineData(300, 0.3)]
    public void A_tone_survives_encode_and_decode_with_more_than_30dB_snr(int hz, double amplitude)
    {
        var pcm = G722TestSignals.Tone(hz, 1, amplitude);
        var decoded = RoundTrip(pcm);
        const int delay = 22;
        // Skip the first 100 ms while the ADPCM adapts.
        double snr = G722Measure.SnrDb(pcm.AsSpan(1600, pcm.Length - 1600 - delay), decoded.AsSpan(1600 + delay, pcm.Length - 1600 - delay));
        output.WriteLine($"SNR {snr:F1} dB at {hz} Hz, amplitude {amplitude}");
        Assert.True(snr > 30, $"SNR {snr:F1} dB at {hz} Hz, amplitude {amplitude}");
    }

    [Fact]
    public void Frame_size_does_not_change_the_output()
    {
        var pcm = G722TestSignals.SweepAndNoise(seconds: 1);
        byte[] Encode(int frame)
        {
            var enc = new G722Encoder();
            var output = new byte[pcm.Length / 2];
            for (int i = 0; i < pcm.Length; i += frame)
            {
                int n = Math.Min(frame, pcm.Length - i);
                enc.Encode(pcm.AsSpan(i, n), output.AsSpan(i / 2));
            }

            return output;
        }

        short[] Decode(byte[] coded, int frameBytes)
        {
            var dec = new G722Decoder();
            var output = new short[coded.Length * 2];
            for (int i = 0; i < coded.Length; i += frameBytes)
            {
                int n = Math.Min(frameBytes, coded.Length - i);
                dec.Decode(coded.AsSpan(i, n), output.AsSpan(i * 2));
            }

            return output;
        }

        var whole = Encode(pcm.Length);
        Assert.Equal(whole, Encode(320));
        Assert.Equal(whole, Encode(160));
        Assert.Equal(whole, Encode(2));
        var decodedWhole = Decode(whole, whole.Length);
        Assert.Equal(decodedWhole, Decode(whole, 160));
        Assert.Equal(decodedWhole, Decode(whole, 80));
        Assert.Equal(decodedWhole, Decode(whole, 1));
    }

    [Fact]
    public void Reset_starts_a_new_stream()
    {
        var pcm = G722TestSignals.SweepAndNoise(seconds: 0.2);
        var enc = new G722Encoder();
        var first = new byte[pcm.Length / 2];
        var second = new byte[pcm.Length / 2];
        enc.Encode(pcm, first);
        enc.Reset();
        enc.Encode(pcm, second);
        Assert.Equal(first, second);

        var dec = new G722Decoder();
        var a = new short[pcm.Length];
        var b = new short[pcm.Length];
        dec.Decode(first, a);
        dec.Reset();
        dec.Decode(first, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Bad_sizes_throw_exceptions_that_name_the_problem()
    {
        var enc = new G722Encoder();
        var ex = Assert.Throws<ArgumentException>(() => enc.Encode(new short[321], new byte[200]));
        Assert.Contains("odd", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => enc.Encode(new short[320], new byte[159]));
        Assert.Contains("159", ex.Message);
        var dec = new G722Decoder();
        ex = Assert.Throws<ArgumentException>(() => dec.Decode(new byte[160], new short[319]));
        Assert.Contains("319", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => dec.Conceal(new short[3]));
        Assert.Contains("160", ex.Message);
    }

    [Fact]
    public void Scale_factor_table_matches_the_reference_ila_entries()
    {
        // Spot checks against ILA of the ITU-T reference: det = (ila[k] + 1) << 2.
        Assert.Equal((1 + 1) << 2, G722Tables.Scale[0]);
        Assert.Equal((2 + 1) << 2, G722Tables.Scale[19]);
        Assert.Equal((7 + 1) << 2, G722Tables.Scale[64]);   // initial lower band det = 32
        Assert.Equal((16 + 1) << 2, G722Tables.Scale[100]);
        Assert.Equal((1023 + 1) << 2, G722Tables.Scale[288]);
        Assert.Equal((2047 + 1) << 2, G722Tables.Scale[320]);
        Assert.Equal((4007 + 1) << 2, G722Tables.Scale[351]);
        Assert.Equal((4095 + 1) << 2, G722Tables.Scale[352]);
    }
}
