using Pipeline.Codecs.G722;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G722;

/// <summary>
/// Sanity checks of the G.722 Appendix IV concealment of <see cref="G722Decoder"/> (its bit-exactness is checked in
/// <see cref="AppendixIV.G722AppendixIVBitExactTests"/>): on voiced signals encoded by our encoder, with 1, 2, 3 and 6
/// consecutive 20 ms frames lost at several positions, measured against the lossless decode and against silence
/// insertion. The figures go to the test output.
/// </summary>
public class G722ConcealmentTests(ITestOutputHelper output)
{
    private const int Frame = 320; // 20 ms
    private static readonly int[] LossStarts = [20, 33, 47, 61, 74];
    private static readonly Dictionary<string, (short[] Clean, byte[] Coded)> Streams = [];

    private static (short[] Clean, byte[] Coded) Stream(string name)
    {
        lock (Streams)
        {
            if (!Streams.TryGetValue(name, out var s))
            {
                var pcm = name switch
                {
                    "vibrato" => G722TestSignals.VibratoVoice(2.0),
                    "tone" => G722TestSignals.Tone(440, 2.0, 0.3),
                    "pulses" => G722TestSignals.Voiced(2.0),
                    _ => throw new ArgumentOutOfRangeException(nameof(name)),
                };
                var coded = G722LossScenario.Encode(pcm);
                s = (G722LossScenario.Decode(coded, _ => false), coded);
                Streams[name] = s;
            }

            return s;
        }
    }

    private sealed record Figures(double LostSegSnr, double WithRecoverySegSnr, double Snr, double ConvergedMs, int MaxBoundaryStep);

    private static Figures Measure(string signal, int burst, G722LossMode mode)
    {
        var (clean, coded) = Stream(signal);
        double lost = 0, withRecovery = 0, snr = 0, converged = 0;
        int step = 0;
        foreach (int start in LossStarts)
        {
            var lossy = G722LossScenario.Decode(coded, f => f >= start && f < start + burst, mode);
            int a = start * Frame, n = burst * Frame;
            lost += G722LossScenario.SegmentalSnrDb(clean.AsSpan(a, n), lossy.AsSpan(a, n));
            withRecovery += G722LossScenario.SegmentalSnrDb(clean.AsSpan(a, n + Frame), lossy.AsSpan(a, n + Frame));
            snr += G722Measure.SnrDb(clean.AsSpan(a, n), lossy.AsSpan(a, n));
            converged = Math.Max(converged, G722LossScenario.ConvergenceMs(clean, lossy, a + n));

            // Steps within 10 ms of either boundary of the loss.
            step = Math.Max(step, G722LossScenario.MaxStep(lossy.AsSpan(a - 160, 320)));
            step = Math.Max(step, G722LossScenario.MaxStep(lossy.AsSpan(a + n - 160, 320)));
        }

        int k = LossStarts.Length;
        return new Figures(lost / k, withRecovery / k, snr / k, converged, step);
    }

    [Theory]
    [InlineData("vibrato", 1)]
    [InlineData("vibrato", 2)]
    [InlineData("vibrato", 3)]
    [InlineData("tone", 1)]
    [InlineData("tone", 2)]
    [InlineData("tone", 3)]
    public void Concealed_frames_are_closer_to_the_lost_audio_than_silence(string signal, int burst)
    {
        var ours = Measure(signal, burst, G722LossMode.Concealer);
        var silence = Measure(signal, burst, G722LossMode.Silence);
        foreach (var (name, f) in new[] { ("App. IV", ours), ("silence", silence) })
        {
            output.WriteLine($"{signal} {burst}×20 ms {name,-7}: lost frames segSNR {f.LostSegSnr,6:F2} dB (SNR {f.Snr,6:F2} dB), " +
                $"with the next 20 ms {f.WithRecoverySegSnr,6:F2} dB, within 30 dB of lossless after {f.ConvergedMs,5:F1} ms, largest step near the loss {f.MaxBoundaryStep}");
        }

        // Silence scores 0 dB on every lost segment; the concealment must do better.
        Assert.True(ours.LostSegSnr > silence.LostSegSnr + 0.3, $"App. IV {ours.LostSegSnr:F2} dB vs silence {silence.LostSegSnr:F2} dB");
    }

    [Theory]
    [InlineData("vibrato")]
    [InlineData("tone")]
    [InlineData("pulses")]
    public void A_single_lost_frame_is_filled_with_a_continuation_of_the_voice(string signal)
    {
        var ours = Measure(signal, 1, G722LossMode.Concealer);
        var silence = Measure(signal, 1, G722LossMode.Silence);
        output.WriteLine($"{signal}: lost frame {ours.LostSegSnr:F2} dB, with recovery {ours.WithRecoverySegSnr:F2} dB (silence {silence.WithRecoverySegSnr:F2} dB)");
        Assert.True(ours.LostSegSnr > 4, $"{ours.LostSegSnr:F2} dB segmental SNR on the lost frame");
        Assert.True(ours.WithRecoverySegSnr > silence.WithRecoverySegSnr, $"{ours.WithRecoverySegSnr:F2} dB vs {silence.WithRecoverySegSnr:F2} dB for silence");
    }

    [Theory]
    [InlineData("vibrato", 1)]
    [InlineData("vibrato", 3)]
    [InlineData("vibrato", 6)]
    [InlineData("tone", 1)]
    [InlineData("tone", 2)]
    [InlineData("tone", 6)]
    [InlineData("pulses", 2)]
    public void No_click_at_either_end_of_a_loss(string signal, int burst)
    {
        var (clean, _) = Stream(signal);

        // The bound comes from the signal: 1.1 × the largest sample-to-sample step of the lossless decode (after its first
        // 20 ms, where the decoder starts up).
        int bound = (int)(1.1 * G722LossScenario.MaxStep(clean.AsSpan(Frame)));
        var ours = Measure(signal, burst, G722LossMode.Concealer);
        var silence = Measure(signal, burst, G722LossMode.Silence);
        output.WriteLine($"{signal} {burst}×20 ms: largest step near the loss {ours.MaxBoundaryStep} (silence {silence.MaxBoundaryStep}), lossless {bound}");
        Assert.True(ours.MaxBoundaryStep <= bound, $"step {ours.MaxBoundaryStep} > {bound}");
    }

    [Fact]
    public void The_no_click_check_catches_silence_insertion()
    {
        // Guards the bound above: cutting to silence on the tone does step further than the signal ever does.
        var (clean, _) = Stream("tone");
        var silence = Measure("tone", 2, G722LossMode.Silence);
        Assert.True(silence.MaxBoundaryStep > 1.1 * G722LossScenario.MaxStep(clean.AsSpan(Frame)), $"{silence.MaxBoundaryStep}");
    }

    [Fact]
    public void A_long_burst_fades_to_silence_by_60ms()
    {
        var (clean, coded) = Stream("vibrato");
        var lossy = G722LossScenario.Decode(coded, f => f is >= 20 and < 26); // 120 ms lost
        Assert.Equal(clean.AsSpan(0, 20 * Frame).ToArray(), lossy.AsSpan(0, 20 * Frame).ToArray());
        double before = G722Measure.Rms(clean.AsSpan(19 * Frame, Frame));

        // Full level first, then quieter, then silent from 60 ms (+ 1.4 ms of QMF delay) until the frames resume.
        double first10 = G722Measure.Rms(lossy.AsSpan(20 * Frame, 160));
        Assert.True(first10 > 0.5 * before, $"first 10 ms at {first10:F0} rms vs {before:F0} before the loss");
        double at40 = G722Measure.Rms(lossy.AsSpan((20 * Frame) + 640, 160));
        Assert.True(at40 < 0.6 * first10, $"40–50 ms at {at40:F0} rms vs {first10:F0} at first");
        int peakAfter60 = G722LossScenario.MaxAbs(lossy.AsSpan((20 * Frame) + 960 + 24, (6 * Frame) - 960 - 24));
        Assert.True(peakAfter60 <= 4, $"peak {peakAfter60} after 60 ms of loss");
    }

    [Fact]
    public void A_one_second_gap_in_one_call_is_silent_after_60ms_and_the_voice_comes_back()
    {
        var (clean, coded) = Stream("vibrato");
        var dec = new G722Decoder();
        var pcm = new short[clean.Length];
        dec.Decode(coded.AsSpan(0, 4000), pcm.AsSpan(0, 8000));
        dec.Conceal(pcm.AsSpan(8000, 16000));
        dec.Decode(coded.AsSpan(12000), pcm.AsSpan(24000));

        Assert.True(G722Measure.Rms(pcm.AsSpan(8000, 160)) > 0.5 * G722Measure.Rms(clean.AsSpan(7840, 160)), "the gap starts with the voice");
        Assert.True(G722LossScenario.MaxAbs(pcm.AsSpan(9000, 15000)) <= 4, $"peak {G722LossScenario.MaxAbs(pcm.AsSpan(9000, 15000))} long after the fade-out");

        // Frames resume: no burst louder than the voice, and back to the lossless decode.
        var resumed = pcm.AsSpan(24000);
        Assert.True(G722LossScenario.MaxAbs(resumed) <= 1.1 * G722LossScenario.MaxAbs(clean), $"peak {G722LossScenario.MaxAbs(resumed)} after the gap vs {G722LossScenario.MaxAbs(clean)}");
        double ms = G722LossScenario.ConvergenceMs(clean, pcm, 24000);
        output.WriteLine($"within 30 dB of the lossless decode {ms:F1} ms after a 1 s gap");
        Assert.True(ms is >= 0 and <= 300, $"{ms} ms");
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 100)]
    [InlineData(3, 120)]
    [InlineData(6, 160)]
    public void After_a_loss_decoding_converges_back_to_the_lossless_output(int burst, double boundMs)
    {
        var ours = Measure("tone", burst, G722LossMode.Concealer);
        var voice = Measure("vibrato", burst, G722LossMode.Concealer);
        output.WriteLine($"{burst}×20 ms: within 30 dB of the lossless decode after {ours.ConvergedMs:F1} ms (tone), {voice.ConvergedMs:F1} ms (vibrato voice)");
        Assert.True(ours.ConvergedMs >= 0 && ours.ConvergedMs <= boundMs, $"tone: {ours.ConvergedMs} ms");
        Assert.True(voice.ConvergedMs >= 0 && voice.ConvergedMs <= 300, $"voice: {voice.ConvergedMs} ms");
    }

    [Fact]
    public void Concealing_30ms_in_one_call_or_in_10ms_pieces_gives_the_same_audio()
    {
        var (_, coded) = Stream("vibrato");
        short[] Run(int piece)
        {
            var dec = new G722Decoder();
            var pcm = new short[6400];
            dec.Decode(coded.AsSpan(0, 1600), pcm.AsSpan(0, 3200));
            for (int i = 3200; i < 3680; i += piece) dec.Conceal(pcm.AsSpan(i, piece));
            dec.Decode(coded.AsSpan(1840, 1360), pcm.AsSpan(3680));
            return pcm;
        }

        var whole = Run(480);
        Assert.Equal(whole, Run(160));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(159)]
    [InlineData(321)]
    public void Lengths_that_are_not_whole_10ms_frames_are_refused(int samples)
    {
        var dec = new G722Decoder();
        var e = Assert.Throws<ArgumentException>(() => dec.Conceal(new short[samples]));
        Assert.Contains("multiple of 160", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sixty_ms_in_one_call_is_three_20ms_frames()
    {
        var (_, coded) = Stream("vibrato");
        short[] Run(int piece)
        {
            var dec = new G722Decoder();
            var pcm = new short[6400];
            dec.Decode(coded.AsSpan(0, 1600), pcm.AsSpan(0, 3200));
            for (int i = 3200; i < 4160; i += piece) dec.Conceal(pcm.AsSpan(i, piece));
            dec.Decode(coded.AsSpan(2080, 1120), pcm.AsSpan(4160));
            return pcm;
        }

        Assert.Equal(Run(960), Run(320));
        Assert.NotEqual(Run(960), Run(160)); // 10 ms frames are concealed differently (Appendix IV mutes their first frame linearly)
    }

    [Theory]
    [InlineData(160)]
    [InlineData(320)]
    [InlineData(480)]
    public void Frame_sizes_of_10_20_and_30ms_conceal_and_recover(int frame)
    {
        var (clean, coded) = Stream("pulses");
        int start = 6400 / frame * frame; // near 0.4 s
        var lossy = G722LossScenario.Decode(coded, f => f * frame == start, frame: frame);
        double seg = G722LossScenario.SegmentalSnrDb(clean.AsSpan(start, frame), lossy.AsSpan(start, frame));
        output.WriteLine($"{frame / 16} ms frame lost: {seg:F2} dB");
        Assert.True(seg > 3, $"{seg:F2} dB");
        Assert.True(G722LossScenario.ConvergenceMs(clean, lossy, start + frame) is >= 0 and <= 300);
    }

    [Fact]
    public void A_fresh_decoder_conceals_with_silence()
    {
        var pcm = new short[320];
        new G722Decoder().Conceal(pcm);
        Assert.True(G722LossScenario.MaxAbs(pcm) <= 8, $"peak {G722LossScenario.MaxAbs(pcm)}");
    }

    [Fact]
    public void Without_losses_decoding_is_unchanged_by_the_concealment_history()
    {
        // Same bytes through the plain path (DecodePair) and through Decode: the kept history must not alter the output.
        var (clean, coded) = Stream("pulses");
        var dec = new G722Decoder();
        var pcm = new short[clean.Length];
        for (int i = 0; i < coded.Length; i++) dec.DecodePair(coded[i], out pcm[2 * i], out pcm[(2 * i) + 1]);
        Assert.Equal(clean, pcm);
    }

    [Fact]
    public void Pitch_estimate_finds_the_period_of_the_lower_band()
    {
        // 140 Hz in the 8 kHz lower band: 57.1 samples (or a multiple, which repeats as well).
        var (_, coded) = Stream("pulses");
        var dec = new G722Decoder();
        var pcm = new short[8000];
        dec.Decode(coded.AsSpan(0, 4000), pcm);
        dec.Conceal(new short[320]);
        int lag = dec.Plc.Pitch;
        double periods = lag / (8000 / 140.0);
        output.WriteLine($"lag {lag}, class {dec.Plc.Class}, correlation {dec.Plc.MaxCorrelation / 32768.0:F2}");
        Assert.True(Math.Abs(periods - Math.Round(periods)) < 0.05 && Math.Round(periods) >= 1, $"lag {lag}");
        Assert.Equal(G722Plc.Voiced, dec.Plc.Class);
    }

    [Fact]
    public void Noise_is_not_classified_voiced()
    {
        var rng = new Random(3);
        var noise = new short[8000];
        for (int i = 0; i < noise.Length; i++) noise[i] = (short)rng.Next(-3000, 3000);
        var coded = G722LossScenario.Encode(noise);
        var dec = new G722Decoder();
        dec.Decode(coded, new short[8000]);
        dec.Conceal(new short[320]);
        output.WriteLine($"lag {dec.Plc.Pitch}, class {dec.Plc.Class}, correlation {dec.Plc.MaxCorrelation / 32768.0:F2}");
        Assert.NotEqual(G722Plc.Voiced, dec.Plc.Class);
    }

    [Fact]
    public void Scattered_losses_on_loud_noisy_audio_never_clip_or_click()
    {
        var pcm = G722TestSignals.SweepAndNoise(seconds: 2, peak: 0.9);
        var coded = G722LossScenario.Encode(pcm);
        var clean = G722LossScenario.Decode(coded, _ => false);
        var rng = new Random(5);
        var lostFrames = new HashSet<int>();
        for (int f = 2; f < 100; f++)
        {
            if (rng.NextDouble() < 0.15) lostFrames.Add(f);
        }

        var lossy = G722LossScenario.Decode(coded, lostFrames.Contains);
        Assert.True(G722LossScenario.MaxAbs(lossy) <= 1.25 * G722LossScenario.MaxAbs(clean), $"peak {G722LossScenario.MaxAbs(lossy)} with losses vs {G722LossScenario.MaxAbs(clean)} without");
        int clipped = 0;
        foreach (var v in lossy) clipped += v is short.MaxValue or short.MinValue ? 1 : 0;
        Assert.Equal(0, clipped);
        Assert.True(G722LossScenario.MaxStep(lossy) <= 1.2 * G722LossScenario.MaxStep(clean), $"largest step {G722LossScenario.MaxStep(lossy)} vs {G722LossScenario.MaxStep(clean)}");
    }
}
