using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Measurements on PCM16 audio: levels, tone detection (Goertzel), dominant frequency, tone
/// signal-to-noise ratio and normalised cross-correlation. For level meters, tone and DTMF checks,
/// and for comparing what was sent with what was received. Levels are relative to full scale (32768):
/// 0 dBFS is a full-scale square wave, so a full-scale sine reads about -3 dBFS.
/// These run off the media path; only <see cref="DominantFrequency"/> allocates (its FFT buffers).
/// </summary>
public static class AudioAnalysis
{
    private const double FullScale = 32768.0;

    /// <summary>Root mean square level as a fraction of full scale (0 to 1).</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty) return 0;
        double sum = 0;
        foreach (short s in samples) sum += (double)s * s;
        return Math.Sqrt(sum / samples.Length) / FullScale;
    }

    /// <summary>RMS level in dBFS; <see cref="double.NegativeInfinity"/> for digital silence.</summary>
    public static double RmsDbfs(ReadOnlySpan<short> samples) => ToDb(Rms(samples));

    /// <summary>Peak absolute sample as a fraction of full scale (0 to 1).</summary>
    public static double Peak(ReadOnlySpan<short> samples)
    {
        int peak = 0;
        foreach (short s in samples) peak = Math.Max(peak, Math.Abs((int)s));
        return peak / FullScale;
    }

    /// <summary>
    /// Mean power of the component at <paramref name="frequency"/> (Goertzel), as a fraction of full-scale
    /// power: a sine of peak amplitude A (fraction of full scale) reads A²/2. The frequency need not fall
    /// on a DFT bin. Resolution is about <c>rate / samples</c> Hz: use at least a few dozen periods.
    /// </summary>
    public static double GoertzelPower(ReadOnlySpan<short> samples, SampleRate sampleRate, double frequency)
    {
        if (samples.IsEmpty) return 0;
        double w = 2 * Math.PI * frequency / sampleRate.Hertz;
        double coeff = 2 * Math.Cos(w);
        double s1 = 0, s2 = 0;
        foreach (short x in samples)
        {
            double s0 = x / FullScale + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }

        double magnitudeSquared = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        double n = samples.Length;
        return 2 * magnitudeSquared / (n * n);
    }

    /// <summary>Level of the component at <paramref name="frequency"/> in dBFS (a full-scale sine reads -3 dBFS).</summary>
    public static double ToneDbfs(ReadOnlySpan<short> samples, SampleRate sampleRate, double frequency) =>
        ToDb(Math.Sqrt(GoertzelPower(samples, sampleRate, frequency)));

    /// <summary>
    /// The frequency with the most energy (Hann-windowed FFT with parabolic peak interpolation),
    /// or 0 for silence. Accurate to a small fraction of <c>rate / samples</c> Hz for a clean tone.
    /// </summary>
    public static double DominantFrequency(ReadOnlySpan<short> samples, SampleRate sampleRate)
    {
        if (samples.Length < 4) return 0;
        int n = 1;
        while (n < samples.Length) n <<= 1;
        var re = new double[n];
        var im = new double[n];
        int len = samples.Length;
        for (int i = 0; i < len; i++)
        {
            double hann = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (len - 1));
            re[i] = samples[i] * hann;
        }

        Fft(re, im);
        var mag = new double[n / 2];
        for (int k = 0; k < mag.Length; k++) mag[k] = re[k] * re[k] + im[k] * im[k];

        int best = 1;
        for (int k = 2; k < mag.Length - 1; k++)
        {
            if (mag[k] > mag[best]) best = k;
        }

        if (mag[best] <= 0) return 0;

        // Parabolic interpolation on log magnitudes around the peak bin.
        double offset = 0;
        if (best > 0 && best < mag.Length - 1 && mag[best - 1] > 0 && mag[best + 1] > 0)
        {
            double a = Math.Log(mag[best - 1]), b = Math.Log(mag[best]), c = Math.Log(mag[best + 1]);
            double denom = a - 2 * b + c;
            if (denom != 0) offset = 0.5 * (a - c) / denom;
        }

        return (best + offset) * sampleRate.Hertz / n;
    }

    /// <summary>
    /// Signal-to-noise ratio in dB of a tone at <paramref name="frequency"/>: the least-squares sine at
    /// that frequency is the signal, everything else (distortion, quantisation noise, other tones, DC) is noise.
    /// Returns <see cref="double.PositiveInfinity"/> for a perfect tone and <see cref="double.NegativeInfinity"/> without one.
    /// </summary>
    public static double ToneSnrDb(ReadOnlySpan<short> samples, SampleRate sampleRate, double frequency)
    {
        if (samples.IsEmpty) return double.NegativeInfinity;
        double w = 2 * Math.PI * frequency / sampleRate.Hertz;

        // Normal equations of x ≈ a·cos + b·sin.
        double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            double c = Math.Cos(w * i), s = Math.Sin(w * i), x = samples[i];
            cc += c * c;
            ss += s * s;
            cs += c * s;
            xc += x * c;
            xs += x * s;
        }

        double det = cc * ss - cs * cs;
        if (Math.Abs(det) < 1e-12) return double.NegativeInfinity;
        double a = (xc * ss - xs * cs) / det;
        double b = (xs * cc - xc * cs) / det;

        double signal = 0, noise = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            double fit = a * Math.Cos(w * i) + b * Math.Sin(w * i);
            double r = samples[i] - fit;
            signal += fit * fit;
            noise += r * r;
        }

        if (signal <= 0) return double.NegativeInfinity;
        return noise <= 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
    }

    /// <summary>Normalised cross-correlation at lag 0 over the common length: 1 for identical shapes,
    /// -1 for inverted ones, near 0 for unrelated signals (0 when either is silent).</summary>
    public static double NormalizedCrossCorrelation(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        int n = Math.Min(a.Length, b.Length);
        return Correlate(a[..n], b[..n]);
    }

    /// <summary>
    /// The lag within ±<paramref name="maxLag"/> samples at which <paramref name="b"/> best matches
    /// <paramref name="a"/>, and the normalised correlation there. A positive lag means <paramref name="b"/>
    /// is late: <c>b[i + lag] ≈ a[i]</c>. Costs O(length × maxLag).
    /// </summary>
    public static (int Lag, double Correlation) BestLag(ReadOnlySpan<short> a, ReadOnlySpan<short> b, int maxLag)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLag);
        int bestLag = 0;
        double best = double.NegativeInfinity;
        for (int lag = -maxLag; lag <= maxLag; lag++)
        {
            int aStart = lag >= 0 ? 0 : -lag;
            int bStart = lag >= 0 ? lag : 0;
            int n = Math.Min(a.Length - aStart, b.Length - bStart);
            if (n <= 0) continue;
            double r = Correlate(a.Slice(aStart, n), b.Slice(bStart, n));
            if (r > best)
            {
                best = r;
                bestLag = lag;
            }
        }

        return (bestLag, double.IsNegativeInfinity(best) ? 0 : best);
    }

    private static double Correlate(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }

        return aa <= 0 || bb <= 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    private static double ToDb(double fraction) => fraction <= 0 ? double.NegativeInfinity : 20 * Math.Log10(fraction);

    // In-place iterative radix-2 FFT; the length must be a power of two.
    private static void Fft(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = -2 * Math.PI / len;
            double wr = Math.Cos(angle), wi = Math.Sin(angle);
            for (int start = 0; start < n; start += len)
            {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++)
                {
                    int p = start + k, q = p + len / 2;
                    double tr = re[q] * cr - im[q] * ci;
                    double ti = re[q] * ci + im[q] * cr;
                    re[q] = re[p] - tr;
                    im[q] = im[p] - ti;
                    re[p] += tr;
                    im[p] += ti;
                    double ncr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = ncr;
                }
            }
        }
    }
}
