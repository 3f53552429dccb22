using System.Numerics;

namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// The fixed-point building blocks of iLBC decoding (RFC 3951 §4), shared by the decoder and by the encoder,
/// which rebuilds exactly what the decoder will rebuild. Integer arithmetic throughout (Q-formats as noted),
/// rounding and saturating where the fixed-point reference decoders do, so that the results are the same integers.
/// </summary>
internal static class IlbcDsp
{
    private const int Order = IlbcCodec.Order;
    private const int SubL = IlbcCodec.SubLength;

    /// <summary>LSF split VQ dequantisation (§4.1): Q13 LSFs for each of <paramref name="sets"/> sets.</summary>
    internal static void LsfDequant(Span<short> lsfdeq, ReadOnlySpan<int> index, int sets)
    {
        var cb = IlbcTables.LsfCodebook;
        for (int s = 0; s < sets; s++)
        {
            int pos = 0, cbPos = 0;
            for (int i = 0; i < 3; i++)
            {
                int dim = IlbcTables.LsfDim[i];
                for (int j = 0; j < dim; j++) lsfdeq[(s * Order) + pos + j] = cb[cbPos + (index[(s * 3) + i] * dim) + j];
                pos += dim;
                cbPos += IlbcTables.LsfSize[i] * dim;
            }
        }
    }

    /// <summary>Forces a minimum distance between neighbouring LSFs and keeps them in range (§4.1, stability check).</summary>
    internal static void LsfCheckStability(Span<short> lsf, int sets)
    {
        for (int n = 0; n < 2; n++)
        {
            for (int m = 0; m < sets; m++)
            {
                for (int k = 0; k < Order - 1; k++)
                {
                    int i = (m * Order) + k;
                    if (lsf[i + 1] - lsf[i] < 319)
                    {
                        if (lsf[i + 1] < lsf[i])
                        {
                            lsf[i + 1] = (short)(lsf[i] + 160);
                            lsf[i] = (short)(lsf[i + 1] - 160);
                        }
                        else
                        {
                            lsf[i] -= 160;
                            lsf[i + 1] += 160;
                        }
                    }

                    lsf[i] = (short)Math.Clamp((int)lsf[i], 82, 25723);
                }
            }
        }
    }

    /// <summary>LSFs (Q13) to direct-form LPC coefficients a[0..10] (Q12, a[0] = 4096).</summary>
    internal static void Lsf2Poly(Span<short> a, ReadOnlySpan<short> lsf)
    {
        Span<short> lsp = stackalloc short[Order];
        for (int i = 0; i < Order; i++)
        {
            int freq = (short)((lsf[i] * 20861) >> 15); // lsf / 2π in Q15
            int k = Math.Min(freq >> 8, 63);
            int diff = freq & 0xFF;
            lsp[i] = (short)(IlbcTables.Cos[k] + ((IlbcTables.CosDerivative[k] * diff) >> 12));
        }

        Span<int> f0 = stackalloc int[6];
        Span<int> f1 = stackalloc int[6];
        LspPoly(lsp, 0, f0);
        LspPoly(lsp, 1, f1);
        for (int i = 5; i > 0; i--)
        {
            f0[i] += f0[i - 1];
            f1[i] -= f1[i - 1];
        }

        a[0] = 4096;
        for (int i = 5; i > 0; i--)
        {
            a[6 - i] = (short)((f0[6 - i] + f1[6 - i] + 4096) >> 13);
            a[5 + i] = (short)((f0[6 - i] - f1[6 - i] + 4096) >> 13);
        }
    }

    // The sum or difference polynomial from every other LSP (Q24), by repeated multiplication with (1 - 2·lsp·z⁻¹ + z⁻²).
    private static void LspPoly(ReadOnlySpan<short> lsp, int first, Span<int> f)
    {
        f[0] = 16777216;
        f[1] = lsp[first] * -1024;
        for (int i = 2, k = first + 2, l = 2; i <= 5; i++, k += 2)
        {
            f[l] = f[l - 2];
            for (int j = i; j > 1; j--, l--)
            {
                int high = (short)(f[l - 1] >> 16);
                int low = (short)((f[l - 1] - (high << 16)) >> 1);
                int tmp = ((high * lsp[k]) << 2) + (((low * lsp[k]) >> 15) << 2);
                f[l] += f[l - 2];
                f[l] -= tmp;
            }

            f[l] -= lsp[k] << 10;
            l += i;
        }
    }

    /// <summary>The synthesis filter of every sub-frame (§4.1 interpolation), from the dequantised LSFs of this frame and
    /// the last set of the previous frame (<paramref name="lsfOld"/>, updated).</summary>
    internal static void LspInterpolate(Span<short> syntDenum, ReadOnlySpan<short> lsfdeq, Span<short> lsfOld, IlbcMode mode)
    {
        Span<short> tmp = stackalloc short[Order];
        int nsub = IlbcCodec.SubFrames(mode);
        if (mode == IlbcMode.Ms30)
        {
            var w = IlbcTables.LsfWeight30;
            Interpolate(tmp, lsfOld, lsfdeq[..Order], w[0]);
            Lsf2Poly(syntDenum[..(Order + 1)], tmp);
            for (int i = 1; i < nsub; i++)
            {
                Interpolate(tmp, lsfdeq[..Order], lsfdeq.Slice(Order, Order), w[i]);
                Lsf2Poly(syntDenum.Slice(i * (Order + 1), Order + 1), tmp);
            }

            lsfdeq.Slice(Order, Order).CopyTo(lsfOld);
        }
        else
        {
            var w = IlbcTables.LsfWeight20;
            for (int i = 0; i < nsub; i++)
            {
                Interpolate(tmp, lsfOld, lsfdeq[..Order], w[i]);
                Lsf2Poly(syntDenum.Slice(i * (Order + 1), Order + 1), tmp);
            }

            lsfdeq[..Order].CopyTo(lsfOld);
        }
    }

    private static void Interpolate(Span<short> output, ReadOnlySpan<short> in1, ReadOnlySpan<short> in2, int coef)
    {
        int inv = 16384 - coef;
        for (int i = 0; i < Order; i++) output[i] = (short)(((coef * in1[i]) + (inv * in2[i]) + 8192) >> 14);
    }

    /// <summary>FIR filter with Q12 taps: out[i] = Σ b[j]·x[start + i - j].</summary>
    internal static void FilterMa(ReadOnlySpan<short> x, int start, Span<short> output, ReadOnlySpan<short> b, int length)
    {
        for (int i = 0; i < length; i++)
        {
            int o = 0;
            int p = start + i;
            for (int j = 0; j < b.Length; j++) o += b[j] * x[p - j];
            o = Math.Clamp(o, -134217728, 134215679);
            output[i] = (short)((o + 2048) >> 12);
        }
    }

    /// <summary>All-pole filter with Q12 coefficients a[0..order]: y[n] = a0·x[n] − Σ a[j]·y[n−j]; <paramref name="y"/> holds
    /// <c>order</c> past outputs before <paramref name="yStart"/>. <paramref name="x"/> may be the same memory as the output.</summary>
    internal static void FilterAr(ReadOnlySpan<short> x, int xStart, Span<short> y, int yStart, ReadOnlySpan<short> a, int length)
    {
        for (int i = 0; i < length; i++)
        {
            int sum = 0;
            int n = yStart + i;
            for (int j = a.Length - 1; j > 0; j--) sum += a[j] * y[n - j];
            int o = (a[0] * x[xStart + i]) - sum;
            o = Math.Clamp(o, -134217728, 134215679);
            y[n] = (short)((o + 2048) >> 12);
        }
    }

    /// <summary>Start state decoding (§4.2): scalar dequantisation, then the time-reversed all-pass filtering with
    /// circular folding. <paramref name="scratch"/> needs 4·58 + 20 shorts.</summary>
    internal static void StateConstruct(int ifm, ReadOnlySpan<int> idx, ReadOnlySpan<short> syntDenum, Span<short> output, int len, Span<short> scratch)
    {
        Span<short> numerator = stackalloc short[Order + 1];
        for (int k = 0; k <= Order; k++) numerator[k] = syntDenum[Order - k];

        // val: [Order zeros][2·len samples]; ma: [Order][2·len]
        var val = scratch[..((2 * len) + Order)];
        var ma = scratch.Slice((2 * len) + Order, (2 * len) + Order);
        val.Clear();
        ma.Clear();

        int maxVal = IlbcTables.FrgQuant[ifm];
        var state = IlbcTables.State;
        int shift = ifm < 37 ? 22 : ifm < 59 ? 19 : 17;
        int round = 1 << (shift - 1);
        for (int k = 0; k < len; k++)
        {
            val[Order + k] = (short)(((maxVal * state[idx[len - 1 - k]]) + round) >> shift);
        }

        FilterMa(val, Order, ma[Order..], numerator, len + Order);
        // ma[Order + len + Order ..] stays zero.
        FilterAr(ma, Order, val, Order, syntDenum[..(Order + 1)], 2 * len);

        for (int k = 0; k < len; k++)
        {
            output[k] = (short)(val[Order + len - 1 - k] + val[Order + (2 * len) - 1 - k]);
        }
    }

    /// <summary>Gain dequantisation (§4.4.1): stage gains are relative to the previous stage's gain (at least 0.1).</summary>
    internal static short GainDequant(int index, int previous, int stage)
    {
        int scale = Math.Max(1638, Math.Abs(previous));
        return (short)(((scale * IlbcTables.Gain(stage)[index]) + 8192) >> 14);
    }

    /// <summary>Number of vectors in the codebook built from <paramref name="lMem"/> samples for <paramref name="veclen"/>-sample targets.</summary>
    internal static int CodebookSize(int lMem, int veclen)
    {
        int baseSize = lMem - veclen + 1;
        if (veclen == SubL) baseSize += veclen / 2;
        return 2 * baseSize;
    }

    /// <summary>
    /// One codebook vector (§3.6.3, §4.3): the memory <c>mem[memStart .. memStart + lMem)</c> must have 4 writable
    /// shorts on either side (used as zero padding for the interpolation filter). Vectors are, in order: memory
    /// segments, augmented vectors (lags 20–39, 40-sample vectors only), then the same from the filtered memory.
    /// </summary>
    internal static void GetCodebook(Span<short> cbvec, Span<short> mem, int memStart, int index, int lMem, int veclen)
    {
        Span<short> temp = stackalloc short[SubL + 5];
        int baseSize = lMem - veclen + 1;
        if (veclen == SubL) baseSize += veclen / 2;

        if (index < lMem - veclen + 1)
        {
            int k = index + veclen;
            mem.Slice(memStart + lMem - k, veclen).CopyTo(cbvec);
        }
        else if (index < baseSize)
        {
            int k = (2 * (index - (lMem - veclen + 1))) + veclen;
            CreateAugmented(k / 2, mem, memStart + lMem, cbvec);
        }
        else if (index - baseSize < lMem - veclen + 1)
        {
            int memInd = lMem - (index - baseSize + veclen);
            mem.Slice(memStart - 4, 4).Clear();
            mem.Slice(memStart + lMem, 4).Clear();
            FilterMa(mem, memStart + memInd + 4, cbvec, IlbcTables.CbFiltersRev, veclen);
        }
        else
        {
            int memInd = lMem - veclen - 8;
            mem.Slice(memStart + lMem, 4).Clear();
            FilterMa(mem, memStart + memInd + 7, temp, IlbcTables.CbFiltersRev, veclen + 5);
            int lag = (veclen << 1) - 20 + index - baseSize - lMem - 1;
            CreateAugmented(lag, temp, SubL + 5, cbvec);
        }
    }

    /// <summary>
    /// All <see cref="CodebookSize"/> vectors at once, <c>veclen</c> samples each at a stride of 40, equal to
    /// <see cref="GetCodebook"/> for every index but filtering the memory only once. <paramref name="filtered"/> needs
    /// <c>lMem + 4</c> shorts. The same padding rules as for <see cref="GetCodebook"/> apply to <paramref name="mem"/>.
    /// </summary>
    internal static int BuildCodebook(Span<short> vectors, Span<short> mem, int memStart, int lMem, int veclen, Span<short> filtered)
    {
        int segments = lMem - veclen + 1;
        int augmented = veclen == SubL ? veclen / 2 : 0;
        int baseSize = segments + augmented;

        // Unfiltered: memory segments ending ever earlier, then augmented vectors of lags 20…39.
        for (int i = 0; i < segments; i++) mem.Slice(memStart + lMem - i - veclen, veclen).CopyTo(vectors.Slice(i * SubL, veclen));
        for (int i = 0; i < augmented; i++) CreateAugmented(i + (veclen / 2), mem, memStart + lMem, vectors.Slice((segments + i) * SubL, SubL));

        FilterCodebookMemory(mem, memStart, lMem, filtered);
        for (int i = 0; i < segments; i++) filtered.Slice(lMem - i - veclen + 4, veclen).CopyTo(vectors.Slice((baseSize + i) * SubL, veclen));
        for (int i = 0; i < augmented; i++) CreateAugmented(i + (veclen / 2), filtered, lMem + 4, vectors.Slice((baseSize + segments + i) * SubL, SubL));
        return 2 * baseSize;
    }

    /// <summary>The codebook memory through the interpolation filter, zeros outside it: <c>filtered[4 + k]</c> is the
    /// filter's output at memory sample <c>k</c> (0 ≤ k &lt; lMem); the filtered vectors are windows of it.</summary>
    internal static void FilterCodebookMemory(Span<short> mem, int memStart, int lMem, Span<short> filtered)
    {
        mem.Slice(memStart - 4, 4).Clear();
        mem.Slice(memStart + lMem, 4).Clear();
        FilterMa(mem, memStart + 4, filtered[4..], IlbcTables.CbFiltersRev, lMem);
    }

    // An augmented vector (§3.6.3): the last `index` samples before `end`, repeated to 40 samples with a 4-sample cross-fade.
    internal static void CreateAugmented(int index, ReadOnlySpan<short> buffer, int end, Span<short> cbVec)
    {
        var alpha = IlbcTables.Alpha;
        buffer.Slice(end - index, index).CopyTo(cbVec);
        int ilow = index - 4;
        for (int i = 0; i < 4; i++)
        {
            int a = (buffer[end - index - 4 + i] * alpha[i]) >> 15;
            int b = (buffer[end - 4 + i] * alpha[3 - i]) >> 15;
            cbVec[ilow + i] = (short)(a + b);
        }

        buffer.Slice(end - index, SubL - index).CopyTo(cbVec[index..]);
    }

    /// <summary>Three-stage codebook decoding of one block (§4.4).</summary>
    internal static void ConstructVector(Span<short> decvector, ReadOnlySpan<int> index, ReadOnlySpan<int> gainIndex, Span<short> mem, int memStart, int lMem, int veclen)
    {
        short g0 = GainDequant(gainIndex[0], 16384, 0);
        short g1 = GainDequant(gainIndex[1], g0, 1);
        short g2 = GainDequant(gainIndex[2], g1, 2);
        Span<short> c0 = stackalloc short[SubL];
        Span<short> c1 = stackalloc short[SubL];
        Span<short> c2 = stackalloc short[SubL];
        GetCodebook(c0, mem, memStart, index[0], lMem, veclen);
        GetCodebook(c1, mem, memStart, index[1], lMem, veclen);
        GetCodebook(c2, mem, memStart, index[2], lMem, veclen);
        for (int j = 0; j < veclen; j++)
        {
            int a = (g0 * c0[j]) + (g1 * c1[j]) + (g2 * c2[j]);
            decvector[j] = (short)((a + 8192) >> 14);
        }
    }

    /// <summary>Output high-pass filter (§4.8), in place; <paramref name="y"/> (4) and <paramref name="x"/> (2) are its state.</summary>
    internal static void HpOutput(Span<short> signal, Span<short> y, Span<short> x)
    {
        var ba = IlbcTables.HpOut;
        for (int i = 0; i < signal.Length; i++)
        {
            int tmp = (y[1] * ba[3]) + (y[3] * ba[4]);
            tmp >>= 15;
            tmp += (y[0] * ba[3]) + (y[2] * ba[4]);
            tmp <<= 1;
            tmp += (signal[i] * ba[0]) + (x[0] * ba[1]) + (x[1] * ba[2]);
            x[1] = x[0];
            x[0] = signal[i];
            signal[i] = (short)(Math.Clamp(tmp + 1024, -(1 << 26), (1 << 26) - 1) >> 11);
            y[2] = y[0];
            y[3] = y[1];
            if (tmp > 268435455) tmp = int.MaxValue;
            else if (tmp < -268435456) tmp = int.MinValue;
            else tmp <<= 3;
            y[0] = (short)(tmp >> 16);
            y[1] = (short)((tmp - (y[0] << 16)) >> 1);
        }
    }

    internal static int MaxAbs(ReadOnlySpan<short> v)
    {
        int max = 0;
        foreach (var s in v) max = Math.Max(max, Math.Abs((int)s));
        return Math.Min(max, short.MaxValue);
    }

    internal static int SizeInBits(uint n) => n == 0 ? 0 : 32 - BitOperations.LeadingZeroCount(n);

    internal static int ScaleDot(ReadOnlySpan<short> a, ReadOnlySpan<short> b, int length, int scaling)
    {
        int sum = 0;
        for (int i = 0; i < length; i++) sum += (a[i] * b[i]) >> scaling;
        return sum;
    }

    // Left shifts that normalise a signed 32-bit value without overflow (WebRtcSpl_NormW32). ffmpeg's port counts one
    // more, which overflows the 16-bit values built from it; that only affects the pitch estimate for concealment,
    // which ffmpeg never uses, so the decoded audio does not depend on it.
    internal static int NormW32(int a)
    {
        if (a == 0) return 0;
        if (a < 0) a = ~a;
        return BitOperations.LeadingZeroCount((uint)a) - 1;
    }

    internal static int Shift(int x, int c) => c >= 0 ? x << c : x >> -c;

    /// <summary>The lag (<paramref name="offset"/> + 0…<paramref name="searchLen"/>-1) at which <paramref name="buffer"/>
    /// best predicts its target by normalised cross-correlation; the search runs backwards in time (the decoder's
    /// pitch estimate for concealment).</summary>
    internal static int XcorrCoeffBackward(ReadOnlySpan<short> buffer, int target, int regressor, int subl, int searchLen, int offset)
    {
        int crossSgModMax = 0, energyModMax = short.MaxValue, totscaleMax = -500, maxlag = 0, pos = 0;
        int max = MaxAbs(buffer.Slice(regressor - searchLen, subl + searchLen - 1));
        int rpBeg = regressor - 1, rpEnd = regressor + subl - 1;
        int shifts = max > 5000 ? 2 : 0;
        int energy = ScaleDot(buffer[regressor..], buffer[regressor..], subl, shifts);
        for (int k = 0; k < searchLen; k++)
        {
            int cross = ScaleDot(buffer[target..], buffer[(regressor + pos)..], subl, shifts);
            if (energy > 0 && cross > 0)
            {
                int crossScale = NormW32(cross) - 16;
                short crossMod = (short)Shift(cross, crossScale);
                int energyScale = NormW32(energy) - 16;
                short energyMod = (short)Shift(energy, energyScale);
                short crossSgMod = (short)((crossMod * crossMod) >> 16);
                int totscale = energyScale - (crossScale << 1);
                int scalediff = Math.Clamp(totscale - totscaleMax, -31, 31);
                int newCrit, maxCrit;
                if (scalediff < 0)
                {
                    newCrit = (crossSgMod * energyModMax) >> -scalediff;
                    maxCrit = crossSgModMax * energyMod;
                }
                else
                {
                    newCrit = crossSgMod * energyModMax;
                    maxCrit = (crossSgModMax * energyMod) >> scalediff;
                }

                if (newCrit > maxCrit)
                {
                    crossSgModMax = crossSgMod;
                    energyModMax = energyMod;
                    totscaleMax = totscale;
                    maxlag = k;
                }
            }

            pos--;
            energy -= ((buffer[rpEnd] * buffer[rpEnd]) - (buffer[rpBeg] * buffer[rpBeg])) >> shifts;
            rpBeg--;
            rpEnd--;
        }

        return maxlag + offset;
    }
}
