namespace Pipeline.Codecs.Tests.G722;

internal static class G722Measure
{
    /// <summary>Signal-to-noise ratio of <paramref name="actual"/> against <paramref name="reference"/>, in dB.</summary>
    public static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual)
    {
        double signal = 0, noise = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            signal += (double)reference[i] * reference[i];
            double d = (double)reference[i] - actual[i];
            noise += d * d;
        }

        return noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
    }

    /// <summary>The delay (0…<paramref name="maxLag"/>) at which <paramref name="output"/> best matches <paramref name="input"/>.</summary>
    public static int BestLag(ReadOnlySpan<short> input, ReadOnlySpan<short> output, int maxLag)
    {
        int best = 0;
        double bestCorr = double.MinValue;
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double c = 0;
            for (int i = 0; i + lag < output.Length && i < input.Length; i++) c += (double)input[i] * output[i + lag];
            if (c > bestCorr)
            {
                bestCorr = c;
                best = lag;
            }
        }

        return best;
    }

    public static double Rms(ReadOnlySpan<short> x)
    {
        if (x.IsEmpty) return 0;
        double e = 0;
        foreach (var v in x) e += (double)v * v;
        return Math.Sqrt(e / x.Length);
    }
}
