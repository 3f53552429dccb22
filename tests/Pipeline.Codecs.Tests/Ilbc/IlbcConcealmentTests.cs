using Pipeline.Codecs.Ilbc;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Ilbc;

public sealed class IlbcConcealmentTests(ITestOutputHelper output)
{
    private static short[] DecodeWithLoss(IlbcMode mode, byte[] frames, Func<int, bool> lost)
    {
        var decoder = new IlbcDecoder(mode);
        int bytes = IlbcFile.FrameLength(mode), samples = (int)mode * 8;
        var pcm = new short[frames.Length / bytes * samples];
        for (int f = 0; f < frames.Length / bytes; f++)
        {
            var o = pcm.AsSpan(f * samples, samples);
            if (lost(f)) decoder.Conceal(o);
            else decoder.Decode(frames.AsSpan(f * bytes, bytes), o);
        }

        return pcm;
    }

    private static double Rms(short[] x, int from, int count) => IlbcMeasure.Rms(x.AsSpan(from, count));

    private static int MaxAbs(ReadOnlySpan<short> x)
    {
        int m = 0;
        foreach (var v in x) m = Math.Max(m, Math.Abs((int)v));
        return m;
    }

    private static int MaxStep(ReadOnlySpan<short> x)
    {
        int m = 0;
        for (int i = 1; i < x.Length; i++) m = Math.Max(m, Math.Abs(x[i] - x[i - 1]));
        return m;
    }

    [Theory]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public void A_short_loss_continues_the_voice_at_its_level_without_clicks(IlbcMode mode)
    {
        int samples = (int)mode * 8;
        var frames = IlbcEncoderOracleTests.Encode(mode, IlbcTestSignals.Voiced(1.2));
        var clean = DecodeWithLoss(mode, frames, _ => false);
        int first = 600 / (int)mode;                  // lose 60 ms from 600 ms on
        int lostFrames = 60 / (int)mode;
        var lossy = DecodeWithLoss(mode, frames, f => f >= first && f < first + lostFrames);

        Assert.Equal(clean.AsSpan(0, first * samples).ToArray(), lossy.AsSpan(0, first * samples).ToArray());
        double before = Rms(clean, (first - 1) * samples, samples);
        double during = Rms(lossy, first * samples, samples);
        output.WriteLine($"rms before {before:F0}, first concealed frame {during:F0}");
        Assert.True(during > 0.5 * before && during < 1.5 * before, $"first concealed frame rms {during:F0} vs {before:F0} before the loss");

        // Pitch repetition of a steady voice: the concealed frame resembles what was lost.
        double corr = IlbcMeasure.Correlation(clean.AsSpan(first * samples, samples), lossy.AsSpan(first * samples, samples));
        output.WriteLine($"correlation of the first concealed frame with the lost audio: {corr:F3}");
        Assert.True(corr > 0.5);

        // Bounded, and no click at the start or the end of the gap.
        var around = lossy.AsSpan((first - 2) * samples, (lostFrames + 4) * samples);
        Assert.True(MaxAbs(around) <= 1.5 * MaxAbs(clean.AsSpan((first - 10) * samples, 10 * samples)), "concealment louder than the voice it stands in for");
        Assert.True(MaxStep(around) <= 1.5 * MaxStep(clean), $"largest step {MaxStep(around)} vs {MaxStep(clean)} without loss: a click");
    }

    [Theory]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public void A_long_loss_decays_to_silence_and_decoding_recovers_after_it(IlbcMode mode)
    {
        int samples = (int)mode * 8;
        var frames = IlbcEncoderOracleTests.Encode(mode, IlbcTestSignals.SpeechLike(seconds: 3.0));
        var clean = DecodeWithLoss(mode, frames, _ => false);
        int first = 1200 / (int)mode;                 // lose 300 ms from 1.2 s on (inside the chirp)
        int lostFrames = 300 / (int)mode;
        var lossy = DecodeWithLoss(mode, frames, f => f >= first && f < first + lostFrames);

        double before = Rms(clean, (first - 1) * samples, samples);
        var rms = new double[lostFrames];
        for (int i = 0; i < lostFrames; i++) rms[i] = Rms(lossy, (first + i) * samples, samples);
        output.WriteLine($"before {before:F0}; concealed frames: {string.Join(", ", rms.Select(r => r.ToString("F0")))}");

        // Bounded throughout, lower after 100 ms than at the start, and silent from 180 ms on.
        foreach (var r in rms) Assert.True(r < 1.5 * before, $"a concealed frame at rms {r:F0} against {before:F0} before the loss");
        Assert.True(rms[100 / (int)mode] < 0.9 * rms[0], "no decay after 100 ms");
        for (int i = 180 / (int)mode; i < lostFrames; i++) Assert.True(rms[i] < 0.01 * before, $"frame {i} of the loss at rms {rms[i]:F0}: not silent");

        // After the gap: frames are independent in iLBC, so the audio is back to the lossless decode within 40 ms.
        int back = (first + lostFrames) * samples;
        int settle = 40 * 8;
        int n = 500 * 8;
        double corr = IlbcMeasure.Correlation(clean.AsSpan(back + settle, n), lossy.AsSpan(back + settle, n));
        double snr = IlbcMeasure.SnrDb(clean.AsSpan(back + settle, n), lossy.AsSpan(back + settle, n));
        output.WriteLine($"after the loss: correlation {corr:F4}, SNR against the lossless decode {snr:F1} dB");
        Assert.True(corr > 0.99, $"correlation {corr:F4} with the lossless decode 40 ms after the loss");
    }

    [Fact]
    public void Conceal_fills_any_length_and_is_silence_before_any_frame()
    {
        var decoder = new IlbcDecoder(IlbcMode.Ms20);
        var pcm = new short[1000];
        pcm.AsSpan().Fill(1234);
        decoder.Conceal(pcm);
        Assert.All(pcm, s => Assert.Equal(0, s));

        var frames = IlbcEncoderOracleTests.Encode(IlbcMode.Ms20, IlbcTestSignals.Voiced(0.4));
        for (int f = 0; f < 20; f++) decoder.Decode(frames.AsSpan(f * 38, 38), new short[160]);
        var odd = new short[100];
        decoder.Conceal(odd);
        Assert.True(IlbcMeasure.Rms(odd) > 10, "concealment of a voiced signal should not be silent");
    }

    [Fact]
    public void A_frame_marked_empty_is_concealed()
    {
        var frames = IlbcEncoderOracleTests.Encode(IlbcMode.Ms30, IlbcTestSignals.Voiced(0.6));
        var a = new IlbcDecoder(IlbcMode.Ms30);
        var b = new IlbcDecoder(IlbcMode.Ms30);
        var pa = new short[240];
        var pb = new short[240];
        for (int f = 0; f < 10; f++)
        {
            a.Decode(frames.AsSpan(f * 50, 50), pa);
            b.Decode(frames.AsSpan(f * 50, 50), pb);
        }

        var marked = frames.AsSpan(500, 50).ToArray();
        marked[49] |= 1; // the last bit: "empty frame" (RFC 3951 §3.10)
        a.Decode(marked, pa);
        b.Conceal(pb);
        Assert.Equal(pb, pa);
        Assert.True(IlbcMeasure.Rms(pa) > 10);
    }
}
