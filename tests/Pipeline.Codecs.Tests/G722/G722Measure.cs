namespace Pipeline.Codecs.Tests.G722;

internal static class G722Measure
{
    /// <summary>Signal-to-noise ratio of <paramref name="actual"/> against <paramref name="reference"/>, in dB.</summary>
    public static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual) => SignalMeasure.SnrDb(reference, actual);

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

    public static double Rms(ReadOnlySpan<short> x) => SignalMeasure.Rms(x);
}
