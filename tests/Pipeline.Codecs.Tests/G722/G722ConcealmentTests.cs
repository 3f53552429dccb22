using Pipeline.Codecs.G722;

namespace Pipeline.Codecs.Tests.G722;

public class G722ConcealmentTests
{
    private const int Frame = 320; // 20 ms

    /// <summary>Decodes <paramref name="coded"/> in 20 ms frames, concealing the frames in <paramref name="lost"/>.</summary>
    private static short[] DecodeWithLoss(byte[] coded, Func<int, bool> lost, G722Decoder? decoder = null)
    {
        decoder ??= new G722Decoder();
        var output = new short[coded.Length * 2];
        for (int f = 0; f * Frame < output.Length; f++)
        {
            var pcm = output.AsSpan(f * Frame, Frame);
            if (lost(f)) decoder.Conceal(pcm);
            else decoder.Decode(coded.AsSpan(f * Frame / 2, Frame / 2), pcm);
        }

        return output;
    }

    private static byte[] Encode(short[] pcm)
    {
        var coded = new byte[pcm.Length / 2];
        new G722Encoder().Encode(pcm, coded);
        return coded;
    }

    private static double FrameRms(short[] x, int frame) => G722Measure.Rms(x.AsSpan(frame * Frame, Frame));

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

    [Fact]
    public void A_lost_burst_continues_the_voice_then_fades_to_silence_by_60ms()
    {
        var coded = Encode(G722TestSignals.Voiced(1.0));
        var clean = DecodeWithLoss(coded, _ => false);
        var lossy = DecodeWithLoss(coded, f => f is >= 20 and < 26); // 120 ms lost

        Assert.Equal(clean.AsSpan(0, 20 * Frame).ToArray(), lossy.AsSpan(0, 20 * Frame).ToArray());

        // The first 20 ms carry on the periodic signal (pitch repetition), close to what was really sent.
        double before = FrameRms(clean, 19);
        Assert.True(FrameRms(lossy, 20) > 0.6 * before, $"first concealed frame rms {FrameRms(lossy, 20):F0} vs {before:F0} before the loss");
        double snr = G722Measure.SnrDb(clean.AsSpan(20 * Frame, Frame), lossy.AsSpan(20 * Frame, Frame));
        Assert.True(snr > 6, $"first concealed frame: {snr:F1} dB against the real signal");

        // Then it decays: each frame quieter than the one before, and silence from 60 ms on.
        Assert.True(FrameRms(lossy, 21) < FrameRms(lossy, 20));
        Assert.True(FrameRms(lossy, 22) < FrameRms(lossy, 21));
        for (int f = 23; f < 26; f++) Assert.True(FrameRms(lossy, f) < 0.02 * before, $"frame {f} rms {FrameRms(lossy, f):F0}: not silent after 60 ms");

        // No clipping burst and no click anywhere, concealment and resumption included.
        var concealed = lossy.AsSpan(20 * Frame, 6 * Frame);
        Assert.True(MaxAbs(concealed) <= 1.2 * MaxAbs(clean.AsSpan(14 * Frame, 6 * Frame)), "concealment louder than the speech it stands in for");
        Assert.True(MaxStep(lossy) <= 1.2 * MaxStep(clean), $"largest step {MaxStep(lossy)} vs {MaxStep(clean)} without loss: a click");
    }

    [Fact]
    public void Decoding_converges_back_to_the_lossless_output_after_a_loss()
    {
        var coded = Encode(G722TestSignals.Voiced(1.0));
        var clean = DecodeWithLoss(coded, _ => false);
        var lossy = DecodeWithLoss(coded, f => f is 20 or 21);

        // The decoder state made up during the gap differs from the far encoder's; the ADPCM adaptation pulls it back.
        double soon = G722Measure.SnrDb(clean.AsSpan(22 * Frame, Frame), lossy.AsSpan(22 * Frame, Frame));
        double later = G722Measure.SnrDb(clean.AsSpan(35 * Frame, 10 * Frame), lossy.AsSpan(35 * Frame, 10 * Frame));
        Assert.True(later > 20, $"{later:F1} dB from 260 ms after the loss");
        Assert.True(later > soon, $"no convergence: {soon:F1} dB right after, {later:F1} dB later");
    }

    [Fact]
    public void Scattered_losses_on_loud_noisy_audio_never_clip_or_click()
    {
        var pcm = G722TestSignals.SweepAndNoise(seconds: 2, peak: 0.9);
        var coded = Encode(pcm);
        var clean = DecodeWithLoss(coded, _ => false);
        var rng = new Random(5);
        var lostFrames = new HashSet<int>();
        for (int f = 2; f < 100; f++)
        {
            if (rng.NextDouble() < 0.15) lostFrames.Add(f);
        }

        var lossy = DecodeWithLoss(coded, lostFrames.Contains);
        // After a gap the decoder's made-up ADPCM state differs from the far encoder's, and the first good frames can
        // overshoot a little while it converges (up to ~15 % of the peak here); that must never become clipping.
        Assert.True(MaxAbs(lossy) <= 1.25 * MaxAbs(clean), $"peak {MaxAbs(lossy)} with losses vs {MaxAbs(clean)} without");
        int clipped = 0;
        foreach (var v in lossy) clipped += v is short.MaxValue or short.MinValue ? 1 : 0;
        Assert.Equal(0, clipped);
        Assert.True(MaxStep(lossy) <= 1.2 * MaxStep(clean), $"largest step {MaxStep(lossy)} vs {MaxStep(clean)}");
    }

    [Fact]
    public void A_long_gap_is_silent_after_60ms_and_any_even_length_works()
    {
        var coded = Encode(G722TestSignals.Voiced(0.2));
        var dec = new G722Decoder();
        var pcm = new short[coded.Length * 2];
        dec.Decode(coded, pcm);
        var gap = new short[16000]; // one second in one call
        dec.Conceal(gap);
        Assert.True(G722Measure.Rms(gap.AsSpan(0, 160)) > 50, "the gap starts with the voice");
        Assert.True(MaxAbs(gap.AsSpan(1200)) < 20, $"peak {MaxAbs(gap.AsSpan(1200))} long after the fade-out");
        var tail = new short[2];
        dec.Conceal(tail);
        Assert.True(MaxAbs(tail) < 20);
    }

    [Fact]
    public void A_fresh_decoder_conceals_with_silence()
    {
        var pcm = new short[320];
        new G722Decoder().Conceal(pcm);
        Assert.True(MaxAbs(pcm) <= 8, $"peak {MaxAbs(pcm)}");
    }

    [Fact]
    public void Pitch_estimate_finds_the_period_of_a_voiced_signal()
    {
        var voiced = G722TestSignals.Voiced(0.5); // 140 Hz: 114.3 samples
        int lag = G722Concealer.FindPitch(voiced.AsSpan(4000, G722Concealer.HistoryLength));
        Assert.True(Math.Abs(lag - 114) <= 1 || Math.Abs(lag - 229) <= 1, $"lag {lag}");
    }
}
