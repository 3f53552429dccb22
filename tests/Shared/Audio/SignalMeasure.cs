namespace Pipeline.Tests.Shared;

/// <summary>Plain measures on PCM16 signals that codec and device tests compare audio with.</summary>
internal static class SignalMeasure
{
    /// <summary>Signal-to-noise ratio of <paramref name="actual"/> against <paramref name="reference"/>, in dB (infinite when equal).</summary>
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

    /// <summary>Root mean square of <paramref name="x"/> (0 for an empty span).</summary>
    public static double Rms(ReadOnlySpan<short> x)
    {
        if (x.IsEmpty) return 0;
        double e = 0;
        foreach (var v in x) e += (double)v * v;
        return Math.Sqrt(e / x.Length);
    }

    /// <summary>The largest absolute sample difference over the common length.</summary>
    public static int MaxAbsDiff(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        int max = 0;
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
