using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Codecs.G722;

/// <summary>
/// The ADPCM state of one G.722 sub-band and the blocks that work on it, with the integer arithmetic
/// and saturation of the ITU-T reference (G.191 STL <c>funcg722.c</c>) so that the output is bit-exact.
/// <code>
///   x ──(-)──► quantise ──► code ──► inverse quantise (4 bits low / 2 bits high) ──► dq ─┐
///       ▲ s                  │                                                          │
///       │                    └──► log scale factor nb ──► scale factor det             ▼
///       └───────────── predictor: 2 poles (a1, a2) on r, 6 zeros (b1…b6) on dq ◄── adapt
/// </code>
/// The encoder and the decoder run the same state update, so a decoder that has seen every code is in
/// exactly the encoder's state (which is what the concealment relies on to resynchronise).
/// The lower band quantises with 6 bits but adapts with the 4 most significant ones; the higher band uses 2 bits.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct G722Band
{
    /// <summary>Signal estimate s (predictor output).</summary>
    public int S;

    /// <summary>Zero-section output sz.</summary>
    public int Sz;

    /// <summary>Quantiser scale factor det.</summary>
    public int Det;

    /// <summary>Logarithmic scale factor nb.</summary>
    public int Nb;

    /// <summary>Pole coefficients.</summary>
    public int A1, A2;

    /// <summary>Zero coefficients.</summary>
    public int B1, B2, B3, B4, B5, B6;

    /// <summary>Past quantised differences (D1 the newest).</summary>
    public int D1, D2, D3, D4, D5, D6;

    /// <summary>Signs (0 or -1) of the past partially reconstructed signals p = dq + sz.</summary>
    public int P1, P2;

    /// <summary>Past reconstructed signals r = s + dq.</summary>
    public int R1, R2;

    internal const int LowInitialDet = 32;
    internal const int HighInitialDet = 8;

    public static G722Band Create(int det) => new() { Det = det };

    /// <summary>Lower band encoder (blocks 1L–4L): quantises <paramref name="xl"/>, adapts, returns the 6-bit code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodeLow(ref G722Band b, int xl)
    {
        int el = Sat16(xl - b.S);
        int wd = el ^ (el >> 31); // |el|, one's complement for negatives as the reference does
        long det = b.Det;

        // Find the quantiser interval: m = 1 + the number of decision levels Q6(1..29) at or below wd.
        // A branch-free binary search: each step adds its width when the level it probes is <= wd.
        ref long q = ref MemoryMarshal.GetArrayDataReference(G722Tables.LowDecision);
        long w = wd;
        int m = 0;
        m += 16 & (int)~((w - ((Unsafe.Add(ref q, m + 16) * det) >> 12)) >> 63);
        m += 8 & (int)~((w - ((Unsafe.Add(ref q, m + 8) * det) >> 12)) >> 63);
        m += 4 & (int)~((w - ((Unsafe.Add(ref q, m + 4) * det) >> 12)) >> 63);
        m += 2 & (int)~((w - ((Unsafe.Add(ref q, m + 2) * det) >> 12)) >> 63);
        m += 1 & (int)~((w - ((Unsafe.Add(ref q, m + 1) * det) >> 12)) >> 63);
        m++;
        int code = el < 0
            ? Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.LowCodeNegative), m)
            : Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.LowCodePositive), m);
        AdaptLow(ref b, code >> 2);
        return code;
    }

    /// <summary>Lower band decoder: the reconstructed signal (limited to 15 bits) for a 6-bit code at 64 kbit/s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DecodeLow(ref G722Band b, int code)
    {
        int dl = (b.Det * Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.LowInverse6), code)) >> 15;
        int rl = Limit(b.S + dl);
        AdaptLow(ref b, code >> 2);
        return rl;
    }

    /// <summary>Higher band encoder (blocks 1H–4H): quantises <paramref name="xh"/>, adapts, returns the 2-bit code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodeHigh(ref G722Band b, int xh)
    {
        int eh = Sat16(xh - b.S);
        int wd = eh ^ (eh >> 31);
        bool outer = wd >= ((564 * 8 * b.Det) >> 15);
        int code = eh < 0 ? (outer ? 0 : 1) : (outer ? 2 : 3);
        AdaptHigh(ref b, code);
        return code;
    }

    /// <summary>Higher band decoder: the reconstructed signal (limited to 15 bits) for a 2-bit code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DecodeHigh(ref G722Band b, int code)
    {
        int dh = (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.HighInverse), code) * b.Det) >> 15;
        int rh = Limit(b.S + dh);
        AdaptHigh(ref b, code, dh);
        return rh;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdaptLow(ref G722Band b, int code4)
    {
        // INVQAL with the scale factor in force for this sample, then LOGSCL and SCALEL for the next one.
        int dq = (b.Det * Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.LowInverse4), code4)) >> 15;
        b.Nb = Clamp(((b.Nb * 127) >> 7) + Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.LowLogStep), code4), 0, 18432);
        b.Det = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.Scale), (b.Nb >> 6) + 64);
        Adapt(ref b, dq);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdaptHigh(ref G722Band b, int code) =>
        AdaptHigh(ref b, code, (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.HighInverse), code) * b.Det) >> 15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdaptHigh(ref G722Band b, int code, int dh)
    {
        // LOGSCH and SCALEH for the next sample.
        b.Nb = Clamp(((b.Nb * 127) >> 7) + Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.HighLogStep), code), 0, 22528);
        b.Det = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(G722Tables.Scale), b.Nb >> 6);
        Adapt(ref b, dh);
    }

    /// <summary>
    /// Blocks PARREC, RECONS, UPZERO, UPPOL2, UPPOL1, FILTEZ, FILTEP and PREDIC for a new quantised
    /// difference <paramref name="dq"/> (a 16-bit value: |dq| ≤ 10228 in the lower band, 3704 in the higher).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Adapt(ref G722Band b, int dq)
    {
        int sg0 = (dq + b.Sz) >> 31;     // sign of p = dq + sz (saturation does not change the sign)
        int r0 = Sat16(b.S + dq);

        // UPZERO: b_i += ±128 by the sign agreement of dq and d_i (nothing when dq = 0), with leakage 1 - 2^-8.
        // Branch-free: (step ^ m) - m is step when the signs agree (m = 0) and -step when they differ (m = -1).
        int step = dq == 0 ? 0 : 128;
        int m1 = (b.D1 ^ dq) >> 31, m2 = (b.D2 ^ dq) >> 31, m3 = (b.D3 ^ dq) >> 31;
        int m4 = (b.D4 ^ dq) >> 31, m5 = (b.D5 ^ dq) >> 31, m6 = (b.D6 ^ dq) >> 31;
        b.B1 = Sat16(((step ^ m1) - m1) + ((b.B1 * 32640) >> 15));
        b.B2 = Sat16(((step ^ m2) - m2) + ((b.B2 * 32640) >> 15));
        b.B3 = Sat16(((step ^ m3) - m3) + ((b.B3 * 32640) >> 15));
        b.B4 = Sat16(((step ^ m4) - m4) + ((b.B4 * 32640) >> 15));
        b.B5 = Sat16(((step ^ m5) - m5) + ((b.B5 * 32640) >> 15));
        b.B6 = Sat16(((step ^ m6) - m6) + ((b.B6 * 32640) >> 15));
        b.D6 = b.D5;
        b.D5 = b.D4;
        b.D4 = b.D3;
        b.D3 = b.D2;
        b.D2 = b.D1;
        b.D1 = dq;

        // UPPOL2: a2 with leakage 1 - 2^-7, limited to ±12288 (0.375). mp1/mp2 are -1 when p's sign differs from p1's/p2's.
        int mp1 = sg0 ^ b.P1, mp2 = sg0 ^ b.P2;
        int a1x4 = Sat16(b.A1 << 2);
        int wd2 = (mp1 == 0 ? Sat16(-a1x4) : a1x4) >> 7;
        int a2 = wd2 + ((128 ^ mp2) - mp2) + ((b.A2 * 32512) >> 15);
        a2 = Clamp(a2, -12288, 12288);

        // UPPOL1: a1 with leakage 1 - 2^-8, limited to ±(15360 - a2) (stability: |a1| ≤ 1 - 2^-4 - a2).
        int a1 = ((192 ^ mp1) - mp1) + ((b.A1 * 32640) >> 15);
        int lim = 15360 - a2;
        a1 = Clamp(a1, -lim, lim);
        b.P2 = b.P1;
        b.P1 = sg0;
        b.A1 = a1;
        b.A2 = a2;

        // FILTEZ: sixth-order zero section, saturating at each step as the reference adds.
        int sz = (b.D6 * 2 * b.B6) >> 15;
        sz = Sat16(sz + ((b.D5 * 2 * b.B5) >> 15));
        sz = Sat16(sz + ((b.D4 * 2 * b.B4) >> 15));
        sz = Sat16(sz + ((b.D3 * 2 * b.B3) >> 15));
        sz = Sat16(sz + ((b.D2 * 2 * b.B2) >> 15));
        sz = Sat16(sz + ((b.D1 * 2 * b.B1) >> 15));

        // FILTEP: second-order pole section on the reconstructed signal, then PREDIC.
        b.R2 = b.R1;
        b.R1 = r0;
        int sp = Sat16(((a1 * Sat16(r0 * 2)) >> 15) + ((a2 * Sat16(b.R2 * 2)) >> 15));
        b.Sz = sz;
        b.S = Sat16(sp + sz);
    }

    /// <summary>
    /// The state change of G.722 Appendix IV after a lost frame, so that the next good frame decodes from the
    /// extrapolated signal: the lower band's past differences are cleared, its past reconstructed signal and
    /// partial-reconstruction signs come from the last two extrapolated samples (<paramref name="last"/>,
    /// <paramref name="beforeLast"/>) and its estimate from the first sample extrapolated beyond the frame
    /// (<paramref name="next"/>, half of it as the zero-section part); the higher band's log scale factor is halved
    /// (against an overshoot when frames resume). When the concealment has been muted (<paramref name="muted"/>), both
    /// scale factors restart from their initial values. Predictor coefficients are kept.
    /// </summary>
    internal static void ResumeAfterLoss(ref G722Band low, ref G722Band high, int last, int beforeLast, int next, bool muted)
    {
        low.D1 = low.D2 = low.D3 = low.D4 = low.D5 = low.D6 = 0;
        low.P1 = last >> 31;       // only the signs of p are kept; the reference stores last/2 whose sign is that of last
        low.P2 = beforeLast >> 31;
        low.R1 = last;
        low.S = next;
        low.Sz = next >> 1;

        high.Nb >>= 1;
        high.Det = G722Tables.Scale[high.Nb >> 6];
        if (muted)
        {
            low.Det = LowInitialDet;
            low.Nb = 0;
            high.Det = HighInitialDet;
            high.Nb = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clamp(int x, int min, int max) => x > max ? max : (x < min ? min : x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Sat16(int x) => x > short.MaxValue ? short.MaxValue : (x < short.MinValue ? short.MinValue : x);

    /// <summary>The reference's LIMIT block: 15-bit two's complement range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Limit(int x) => x > 16383 ? 16383 : (x < -16384 ? -16384 : x);
}
