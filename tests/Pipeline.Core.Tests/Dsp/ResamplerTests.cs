using Pipeline.Core.Dsp;
using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Dsp;

public sealed class ResamplerTests
{
    private static short[] Tone(int rate, double hz, int samples, double amplitude = 0.5)
    {
        var x = new short[samples];
        for (int i = 0; i < samples; i++) x[i] = (short)Math.Round(amplitude * 32767 * Math.Sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    private static short[] Run(Resampler r, short[] input, int chunk)
    {
        var output = new List<short>();
        var buf = new short[r.MaxOutputFor(chunk)];
        for (int i = 0; i < input.Length; i += chunk)
        {
            var part = input.AsSpan(i, Math.Min(chunk, input.Length - i));
            int n = r.Process(part, buf);
            output.AddRange(buf.AsSpan(0, n).ToArray());
        }

        return [.. output];
    }

    /// <summary>Least-squares fit of a sine at <paramref name="hz"/>: returns its amplitude and the SNR of the rest.</summary>
    private static (double Amplitude, double SnrDb) Fit(ReadOnlySpan<short> x, int rate, double hz)
    {
        double w = 2 * Math.PI * hz / rate, cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double c = Math.Cos(w * i), s = Math.Sin(w * i);
            cc += c * c;
            ss += s * s;
            cs += c * s;
            xc += x[i] * c;
            xs += x[i] * s;
        }

        double det = (cc * ss) - (cs * cs);
        double a = ((xc * ss) - (xs * cs)) / det, b = ((xs * cc) - (xc * cs)) / det;
        double sig = 0, noise = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = (a * Math.Cos(w * i)) + (b * Math.Sin(w * i));
            sig += f * f;
            noise += (x[i] - f) * (x[i] - f);
        }

        return (Math.Sqrt((a * a) + (b * b)), 10 * Math.Log10(sig / Math.Max(noise, 1e-9)));
    }

    [Theory]
    [InlineData(44100, 8000, 1000.0)]
    [InlineData(48000, 8000, 440.0)]
    [InlineData(16000, 8000, 3000.0)]
    [InlineData(8000, 16000, 1000.0)]
    [InlineData(8000, 48000, 2500.0)]
    public void Tone_in_the_passband_keeps_its_frequency_and_level(int from, int to, double hz)
    {
        var r = new Resampler(new SampleRate(from), new SampleRate(to));
        var y = Run(r, Tone(from, hz, from), from / 50);
        Assert.InRange(y.Length, to - (to / 200) - 100, to + 2); // the output lags by half the filter
        var body = y.AsSpan(to / 10, to / 2);
        var (amp, snr) = Fit(body, to, hz);
        Assert.InRange(amp / (0.5 * 32767), 0.97, 1.03);
        Assert.True(snr > 45, $"SNR {snr:F1} dB");
    }

    [Fact]
    public void Downsampling_rejects_content_above_the_new_nyquist_instead_of_aliasing_it()
    {
        // 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz without the low-pass.
        var r = new Resampler(new SampleRate(16000), new SampleRate(8000));
        var y = Run(r, Tone(16000, 6000, 16000), 320);
        var (amp, _) = Fit(y.AsSpan(800, 6000), 8000, 2000);
        Assert.True(amp < 0.5 * 32767 * 0.01, $"alias at 2 kHz has amplitude {amp:F0} (should be 40 dB down)");
    }

    [Fact]
    public void Output_does_not_depend_on_how_the_input_is_cut_into_frames()
    {
        var x = Tone(44100, 777, 22050);
        var whole = Run(new Resampler(new SampleRate(44100), new SampleRate(8000)), x, x.Length);
        var framed = Run(new Resampler(new SampleRate(44100), new SampleRate(8000)), x, 441);
        var odd = Run(new Resampler(new SampleRate(44100), new SampleRate(8000)), x, 97);
        Assert.Equal(whole, framed);
        Assert.Equal(whole, odd);
    }

    [Fact]
    public void Processing_a_frame_allocates_nothing()
    {
        var r = new Resampler(new SampleRate(48000), new SampleRate(8000));
        var x = Tone(48000, 1000, 960);
        var y = new short[r.MaxOutputFor(960)];
        r.Process(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) r.Process(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
