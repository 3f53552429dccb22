using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Ilbc;

internal static class IlbcMeasure
{
    public static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual) => SignalMeasure.SnrDb(reference, actual);

    /// <summary>Normalised correlation of the two signals (same length), 1 for identical shapes.</summary>
    public static double Correlation(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        double ab = 0, aa = 0, bb = 0;
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    /// <summary>The delay (0…<paramref name="maxLag"/>) of <paramref name="output"/> against <paramref name="input"/> with the best correlation.</summary>
    public static int BestLag(ReadOnlySpan<short> input, ReadOnlySpan<short> output, int maxLag)
    {
        int best = 0;
        double bestCorr = double.MinValue;
        for (int lag = 0; lag <= maxLag; lag++)
        {
            int n = Math.Min(input.Length, output.Length - lag);
            double c = Correlation(input[..n], output.Slice(lag, n));
            if (c > bestCorr)
            {
                bestCorr = c;
                best = lag;
            }
        }

        return best;
    }

    public static double Rms(ReadOnlySpan<short> x) => SignalMeasure.Rms(x);

    public static int MaxAbsDiff(ReadOnlySpan<short> a, ReadOnlySpan<short> b) => SignalMeasure.MaxAbsDiff(a, b);

    public static void AssertSameSamples(short[] expected, short[] actual, ITestOutputHelper output)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i]) continue;
            differ++;
            if (first < 0) first = i;
        }

        output.WriteLine($"{expected.Length} samples, {differ} differ, max difference {MaxAbsDiff(expected, actual)}");
        Assert.True(differ == 0, $"{differ} of {expected.Length} samples differ from ffmpeg; the first at sample {first} (frame {first / 160}/{first / 240}; ffmpeg {(first >= 0 ? expected[first] : 0)}, ours {(first >= 0 ? actual[first] : 0)}).");
    }
}
