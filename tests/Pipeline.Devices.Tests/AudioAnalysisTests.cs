using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

public class AudioAnalysisTests
{
    private static short[] Sine(double frequency, double amplitude, int samples, int rate = 8000, double phase = 0) =>
        Enumerable.Range(0, samples).Select(i => (short)Math.Round(amplitude * 32767 * Math.Sin(2 * Math.PI * frequency * i / rate + phase))).ToArray();

    [Fact]
    public void Rms_and_dbfs_of_a_sine_and_of_silence()
    {
        var s = Sine(1000, 1.0, 8000);
        Assert.Equal(1 / Math.Sqrt(2), AudioAnalysis.Rms(s), 3);
        Assert.Equal(-3.01, AudioAnalysis.RmsDbfs(s), 1);
        Assert.Equal(1.0, AudioAnalysis.Peak(s), 3);
        Assert.Equal(double.NegativeInfinity, AudioAnalysis.RmsDbfs(new short[100]));
        Assert.Equal(0, AudioAnalysis.Rms([]));
    }

    [Fact]
    public void Goertzel_measures_the_tone_present_and_not_one_absent()
    {
        var s = Sine(697, 0.5, 8000);
        Assert.Equal(0.125, AudioAnalysis.GoertzelPower(s, SampleRate.Hz8000, 697), 3); // A²/2
        Assert.True(AudioAnalysis.GoertzelPower(s, SampleRate.Hz8000, 1209) < 1e-6);
        Assert.Equal(-9.03, AudioAnalysis.ToneDbfs(s, SampleRate.Hz8000, 697), 1); // 0.5 peak -> -6 dB, minus 3 dB for a sine
    }

    [Theory]
    [InlineData(1000.0, 8000)]
    [InlineData(440.0, 8000)]
    [InlineData(3210.5, 16000)]
    [InlineData(123.0, 48000)]
    public void Dominant_frequency_finds_the_tone(double frequency, int rate)
    {
        var s = Sine(frequency, 0.3, rate / 2, rate);
        var mixed = Sine(frequency * 1.7, 0.05, rate / 2, rate);
        for (int i = 0; i < s.Length; i++) s[i] += mixed[i];
        Assert.Equal(frequency, AudioAnalysis.DominantFrequency(s, new SampleRate(rate)), 0);
        Assert.Equal(0, AudioAnalysis.DominantFrequency(new short[1000], new SampleRate(rate)));
    }

    [Fact]
    public void Snr_of_a_clean_tone_is_high_and_falls_with_added_noise()
    {
        var clean = Sine(1000, 0.5, 8000, phase: 0.3);
        Assert.True(AudioAnalysis.ToneSnrDb(clean, SampleRate.Hz8000, 1000) > 80);

        // Noise 20 dB below the tone (power ratio 100).
        var rng = new Random(7);
        double toneRms = 0.5 * 32767 / Math.Sqrt(2);
        double noiseRms = toneRms / 10;
        var noisy = clean.Select(x => (short)Math.Round(x + noiseRms * Math.Sqrt(3) * (2 * rng.NextDouble() - 1))).ToArray();
        Assert.Equal(20, AudioAnalysis.ToneSnrDb(noisy, SampleRate.Hz8000, 1000), 0);
        Assert.True(AudioAnalysis.ToneSnrDb(noisy, SampleRate.Hz8000, 1500) < 0); // the wrong tone is mostly noise
    }

    [Fact]
    public void Cross_correlation_is_one_for_the_same_shape_and_minus_one_inverted()
    {
        var a = Sine(300, 0.4, 4000);
        var louder = a.Select(x => (short)(x * 2)).ToArray();
        var inverted = a.Select(x => (short)-x).ToArray();
        Assert.Equal(1.0, AudioAnalysis.NormalizedCrossCorrelation(a, louder), 6);
        Assert.Equal(-1.0, AudioAnalysis.NormalizedCrossCorrelation(a, inverted), 6);
        Assert.Equal(0, AudioAnalysis.NormalizedCrossCorrelation(a, new short[4000]));
    }

    [Fact]
    public void Best_lag_finds_a_delay()
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, 4000).Select(_ => (short)rng.Next(-10000, 10000)).ToArray();
        var late = new short[4000];
        Array.Copy(a, 0, late, 37, 4000 - 37);
        var (lag, r) = AudioAnalysis.BestLag(a, late, 100);
        Assert.Equal(37, lag);
        Assert.True(r > 0.99);
        var (lag2, _) = AudioAnalysis.BestLag(late, a, 100);
        Assert.Equal(-37, lag2);
    }
}
