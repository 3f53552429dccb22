using System.Runtime.CompilerServices;

namespace Pipeline.Codecs.G722;

/// <summary>
/// The saturating 16/32-bit integer arithmetic of the ITU-T basic operators (G.191 STL), as the fixed-point
/// G.722 Appendix IV concealment uses it. 16-bit values are carried in <see cref="int"/> (always within
/// [-32768, 32767]); 32-bit values in <see cref="int"/> with saturation where the operator saturates.
/// Names say what the operation does; the STL name is given in each summary so a reader can compare.
/// </summary>
internal static class FixedPoint
{
    private const int Max16 = short.MaxValue;
    private const int Min16 = short.MinValue;

    /// <summary>Saturates to 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sat16(int x) => x > Max16 ? Max16 : (x < Min16 ? Min16 : x);

    /// <summary>Saturates to 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sat32(long x) => x > int.MaxValue ? int.MaxValue : (x < int.MinValue ? int.MinValue : (int)x);

    /// <summary><c>add</c>: 16-bit saturating sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Add(int a, int b) => Sat16(a + b);

    /// <summary><c>sub</c>: 16-bit saturating difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sub(int a, int b) => Sat16(a - b);

    /// <summary><c>abs_s</c>: |x|, with -32768 giving 32767.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Abs(int x) => x == Min16 ? Max16 : (x < 0 ? -x : x);

    /// <summary><c>negate</c>: -x, with -32768 giving 32767.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Negate(int x) => x == Min16 ? Max16 : -x;

    /// <summary><c>mult</c>: Q15 product, truncated (floor), saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Mul(int a, int b) => Sat16((a * b) >> 15);

    /// <summary><c>mult_r</c>: Q15 product, rounded, saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MulRound(int a, int b) => Sat16(((a * b) + 16384) >> 15);

    /// <summary><c>shr</c> for a non-negative count: arithmetic right shift (a count of 15 or more leaves the sign).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShiftRight(int x, int n) => n >= 15 ? (x < 0 ? -1 : 0) : x >> n;

    /// <summary><c>shl</c> for a non-negative count: left shift, saturating to 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShiftLeft(int x, int n)
    {
        if (n > 15) return x == 0 ? 0 : (x > 0 ? Max16 : Min16);
        return Sat16(x << n);
    }

    /// <summary><c>L_mult</c>: 2·a·b, saturating (only -32768·-32768 overflows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LMul(int a, int b)
    {
        int p = a * b;
        return p == 0x40000000 ? int.MaxValue : p << 1;
    }

    /// <summary><c>L_add</c>: 32-bit saturating sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LAdd(int a, int b) => Sat32((long)a + b);

    /// <summary><c>L_sub</c>: 32-bit saturating difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LSub(int a, int b) => Sat32((long)a - b);

    /// <summary><c>L_mac</c>: acc + 2·a·b, saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LMac(int acc, int a, int b) => LAdd(acc, LMul(a, b));

    /// <summary><c>L_msu</c>: acc - 2·a·b, saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LMsu(int acc, int a, int b) => LSub(acc, LMul(a, b));

    /// <summary><c>L_mac0</c>: acc + a·b (no doubling), saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LMac0(int acc, int a, int b) => LAdd(acc, a * b);

    /// <summary><c>L_msu0</c>: acc - a·b (no doubling), saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LMsu0(int acc, int a, int b) => LSub(acc, a * b);

    /// <summary><c>L_abs</c>: |x|, with int.MinValue giving int.MaxValue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LAbs(int x) => x == int.MinValue ? int.MaxValue : (x < 0 ? -x : x);

    /// <summary><c>L_negate</c>: -x, with int.MinValue giving int.MaxValue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LNegate(int x) => x == int.MinValue ? int.MaxValue : -x;

    /// <summary><c>L_shl</c> (a negative count shifts right): 32-bit left shift, saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LShiftLeft(int x, int n)
    {
        if (n <= 0) return LShiftRight(x, -n);
        if (n > 31) return x == 0 ? 0 : (x > 0 ? int.MaxValue : int.MinValue);
        return Sat32((long)x << n);
    }

    /// <summary><c>L_shr</c> (a negative count shifts left): 32-bit arithmetic right shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LShiftRight(int x, int n)
    {
        if (n < 0) return LShiftLeft(x, -n);
        return n >= 31 ? (x < 0 ? -1 : 0) : x >> n;
    }

    /// <summary><c>round</c>: the high 16 bits of x + 2^15 (saturating).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Round(int x) => LAdd(x, 0x8000) >> 16;

    /// <summary><c>extract_h</c>: the high 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int High(int x) => x >> 16;

    /// <summary><c>norm_l</c>: the left shift that normalises x (0 for 0, 31 for -1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NormL(int x)
    {
        if (x == 0) return 0;
        if (x == -1) return 31;
        if (x < 0) x = ~x;
        return BitOperationsLeadingZeros(x) - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BitOperationsLeadingZeros(int x) => System.Numerics.BitOperations.LeadingZeroCount((uint)x);

    /// <summary><c>div_s</c>: num/den in Q15 for 0 ≤ num ≤ den, den &gt; 0 (truncated; num = den gives 32767).</summary>
    public static int Div(int num, int den)
    {
        if (num == 0) return 0;
        if (num == den) return Max16;
        int q = 0;
        int n = num;
        for (int i = 0; i < 15; i++)
        {
            q <<= 1;
            n <<= 1;
            if (n >= den)
            {
                n -= den;
                q++;
            }
        }

        return q;
    }

    // ── Double-precision format of the STL oper_32b: x = hi·2^16 + lo·2 ──

    /// <summary><c>L_Extract</c>: splits x into (hi, lo) with x = hi·2^16 + lo·2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(int x, out int hi, out int lo)
    {
        hi = x >> 16;
        lo = (short)LMsu(x >> 1, hi, 16384);
    }

    /// <summary><c>L_Comp</c>: hi·2^16 + lo·2 (saturating).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Join(int hi, int lo) => LMac(hi << 16, lo, 1);

    /// <summary><c>Mpy_32</c>: product of two split values, Q31 × Q31 → Q31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Mul32(int hi1, int lo1, int hi2, int lo2)
    {
        int r = LMul(hi1, hi2);
        r = LMac(r, Mul(hi1, lo2), 1);
        return LMac(r, Mul(lo1, hi2), 1);
    }

    /// <summary><c>Mpy_32_16</c>: split value × 16-bit value, Q31 × Q15 → Q31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Mul32By16(int hi, int lo, int n) => LMac(LMul(hi, n), Mul(lo, n), 1);

    /// <summary><c>Div_32</c>: num / (denHi, denLo) for 0 &lt; num &lt; den, den normalised; Q31 result.</summary>
    public static int Div32(int num, int denHi, int denLo)
    {
        int approx = Div(0x3fff, denHi);
        int x = Mul32By16(denHi, denLo, approx);
        x = LSub(int.MaxValue, x);
        Split(x, out int hi, out int lo);
        x = Mul32By16(hi, lo, approx);
        Split(x, out hi, out lo);
        Split(num, out int nHi, out int nLo);
        x = Mul32(nHi, nLo, hi, lo);
        return LShiftLeft(x, 2);
    }
}
