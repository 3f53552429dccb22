namespace Pipeline.Codecs.G722;

/// <summary>
/// Constant data of the G.722 Appendix IV concealment (standard values: they must equal the ITU-T ones for the
/// output to be bit-exact).
/// </summary>
internal static class G722PlcTables
{
    /// <summary>
    /// Lag window applied to the autocorrelations r(1)…r(8) before Levinson–Durbin, as (high, low) pairs of the
    /// double-precision format (value = high·2^-15 + low·2^-30): a Gaussian for 60 Hz of bandwidth expansion at
    /// 8 kHz, divided by 1.0001 (white-noise correction).
    /// </summary>
    internal static readonly int[] LagHigh = [32728, 32619, 32438, 32187, 31867, 31480, 31029, 30517];

    /// <summary>Low halves of <see cref="LagHigh"/>.</summary>
    internal static readonly int[] LagLow = [11904, 17280, 30720, 25856, 24192, 28992, 24384, 7360];

    /// <summary>
    /// Asymmetric 80-sample LPC analysis window (Q15): a Hamming rise over 70 samples and a quarter-cosine fall over
    /// the last 10. Shorter analyses (the decimated pitch signal) use its last samples.
    /// </summary>
    internal static readonly int[] LpcWindow =
    [
        2621, 2637, 2684, 2762, 2871, 3010, 3180, 3380, 3610, 3869,
        4157, 4473, 4816, 5185, 5581, 6002, 6447, 6915, 7406, 7918,
        8451, 9002, 9571, 10158, 10760, 11376, 12005, 12647, 13298, 13959,
        14628, 15302, 15982, 16666, 17351, 18037, 18723, 19406, 20086, 20761,
        21429, 22090, 22742, 23383, 24012, 24629, 25231, 25817, 26386, 26938,
        27470, 27982, 28473, 28941, 29386, 29807, 30203, 30573, 30916, 31231,
        31519, 31778, 32008, 32208, 32378, 32518, 32627, 32705, 32751, 32767,
        32029, 29888, 26554, 22352, 17694, 13036, 8835, 5500, 3359, 2621,
    ];

    /// <summary>Low-pass FIR (Q16, 9 taps, symmetric) applied before the 4:1 decimation of the pitch search.</summary>
    internal static readonly int[] Decimation = [3692, 6190, 8525, 10186, 10787, 10186, 8525, 6190, 3692];

    /// <summary>Pitch-search high-pass y(n) = x(n) − x(n−1) + (123/128)·y(n−1): numerator and pole (Q14).</summary>
    internal const int HighPassB0 = 16384;
    internal const int HighPassB1 = -16384;
    internal const int HighPassA1 = 15744;
}
