namespace Pipeline.Codecs.G722;

/// <summary>
/// The constants of ITU-T G.722 (§3 and §4 of the Recommendation, as its G.191 reference code spells
/// them), folded into the signed, pre-scaled form the sub-band coder uses:
/// <list type="bullet">
/// <item>inverse quantiser outputs are the Recommendation's levels times 8 with their sign applied,
/// so that a quantised difference is <c>(det * level) &gt;&gt; 15</c> (the reference's <c>mult</c>);</item>
/// <item>the scale factor <c>det</c> is looked up directly from the logarithmic scale factor
/// (<c>scalel</c>/<c>scaleh</c>: <c>(ila[k] + 1) &lt;&lt; 2</c>).</item>
/// </list>
/// </summary>
internal static class G722Tables
{
    /// <summary>QMF coefficients h(0)…h(23) (Table 11 of G.722; symmetric, h(i) = h(23 - i)).</summary>
    internal static ReadOnlySpan<short> Qmf =>
    [
        3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
        3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
    ];

    /// <summary>Lower sub-band decision levels Q6(1)…Q6(29) of the 6-bit quantiser; index 0 unused,
    /// indices 30 and 31 are sentinels above any magnitude so that the search stops at level 30.
    /// Held as 64-bit so that a sentinel times det cannot overflow.</summary>
    internal static readonly long[] LowDecision =
    [
        0, 35, 72, 110, 150, 190, 233, 276,
        323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458,
        1612, 1765, 1980, 2195, 2557, 2919, 1L << 40, 1L << 40,
    ];

    /// <summary>6-bit code for a positive difference in quantiser interval m (1…30).</summary>
    internal static readonly byte[] LowCodePositive = BuildLowCodes(negative: false);

    /// <summary>6-bit code for a negative difference in quantiser interval m (1…30).</summary>
    internal static readonly byte[] LowCodeNegative = BuildLowCodes(negative: true);

    /// <summary>6-bit inverse quantiser (decoder output at 64 kbit/s), indexed by the 6-bit code.</summary>
    internal static readonly int[] LowInverse6 = BuildLowInverse6();

    /// <summary>4-bit inverse quantiser (predictor input in encoder and decoder), indexed by code &gt;&gt; 2.</summary>
    internal static readonly int[] LowInverse4 = BuildLowInverse4();

    /// <summary>Log scale factor increments W_L of the lower band, indexed by code &gt;&gt; 2.</summary>
    internal static readonly int[] LowLogStep = BuildLowLogStep();

    /// <summary>2-bit inverse quantiser of the higher band, indexed by the 2-bit code.</summary>
    internal static readonly int[] HighInverse = [-926 * 8, -202 * 8, 926 * 8, 202 * 8];

    /// <summary>Log scale factor increments W_H of the higher band, indexed by the 2-bit code.</summary>
    internal static readonly int[] HighLogStep = [798, -214, 798, -214];

    /// <summary>Scale factor det for each 6-bit-shifted log scale factor k (0…352): <c>(ila[k] + 1) &lt;&lt; 2</c>.
    /// The lower band reads entry <c>(nbl &gt;&gt; 6) + 64</c>, the higher band <c>nbh &gt;&gt; 6</c>.</summary>
    internal static readonly int[] Scale = BuildScale();

    // 2048 · 2^(i/32), rounded: the mantissa of the inverse logarithm (the last 32 entries of ILA, plus one).
    private static ReadOnlySpan<short> InverseLog2 =>
    [
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
        2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
        3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    ];

    // Inverse quantiser output levels (Table 7: 6-bit, Table 9: 4-bit).
    private static ReadOnlySpan<short> Level6 =>
    [
        0, 17, 54, 91, 130, 170, 211, 254, 300, 347, 396, 447, 501, 558, 618, 682,
        750, 822, 899, 982, 1072, 1170, 1279, 1399, 1535, 1689, 1873, 2088, 2376, 2738, 3101,
    ];

    private static ReadOnlySpan<short> Level4 => [0, 150, 323, 530, 786, 1121, 1612, 2557];

    // W_L(m) for the 4-bit interval m = 0…7.
    private static ReadOnlySpan<short> LogStep4 => [-60, -30, 58, 172, 334, 538, 1198, 3042];

    private static byte[] BuildLowCodes(bool negative)
    {
        var t = new byte[31];
        for (int m = 1; m <= 30; m++)
        {
            // Positive: 61 (smallest) down to 32 (largest). Negative: 63, 62, then 31 down to 4.
            t[m] = (byte)(negative ? (m <= 2 ? 64 - m : 34 - m) : 62 - m);
        }

        return t;
    }

    private static int[] BuildLowInverse6()
    {
        var t = new int[64];
        for (int code = 0; code < 64; code++)
        {
            int interval = code switch
            {
                < 4 => 1,
                < 32 => 34 - code,
                < 62 => 62 - code,
                62 => 2,
                _ => 1,
            };
            bool negative = code < 32 || code >= 62;
            int level = Level6[interval] * 8;
            t[code] = negative ? -level : level;
        }

        return t;
    }

    // The 4-bit code (code >> 2): 0 and 15 are the zero level, 1…7 negative, 8…14 positive, both from the largest level down.
    private static int FourBitInterval(int code4) => code4 switch
    {
        0 or 15 => 0,
        < 8 => 8 - code4,
        _ => 15 - code4,
    };

    private static int[] BuildLowInverse4()
    {
        var t = new int[16];
        for (int c = 0; c < 16; c++)
        {
            int level = Level4[FourBitInterval(c)] * 8;
            t[c] = c is >= 1 and <= 7 ? -level : level;
        }

        return t;
    }

    private static int[] BuildLowLogStep()
    {
        var t = new int[16];
        for (int c = 0; c < 16; c++) t[c] = LogStep4[FourBitInterval(c)];
        return t;
    }

    private static int[] BuildScale()
    {
        var t = new int[353];
        for (int k = 0; k < t.Length; k++)
        {
            int mantissa = InverseLog2[k & 31];
            int exponent = k >> 5; // 0…11
            int ila1 = exponent <= 10 ? mantissa >> (10 - exponent) : mantissa << (exponent - 10);
            t[k] = ila1 << 2;
        }

        return t;
    }
}
