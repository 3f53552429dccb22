namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// The encoder's LPC analysis (RFC 3951 §3.2): windowed autocorrelation, lag window, Levinson-Durbin recursion,
/// bandwidth expansion, conversion to line spectral frequencies, and the split vector quantiser of §3.2.4.
/// Floating point; what it produces is quantised, and the encoder continues from the decoder's integer values.
/// </summary>
internal sealed class IlbcAnalysis
{
    private const int Order = IlbcCodec.Order;
    private const int Grid = 128;
    private const double Chirp = 0.9025; // LPC_CHIRP_SYNTDENUM

    private readonly double[] _lagWindow = new double[Order + 1];
    private readonly double[] _gridCos = new double[Grid + 1];
    private readonly double[] _r = new double[Order + 1];
    private readonly double[] _a = new double[Order + 1];
    private readonly double[] _tmp = new double[Order + 1];
    private readonly double[] _p = new double[Order + 1];
    private readonly double[] _q = new double[Order + 1];
    private readonly double[] _lsf = new double[Order];
    private readonly float[] _windowed = new float[240];

    internal IlbcAnalysis()
    {
        for (int k = 0; k <= Order; k++)
        {
            double x = 2 * Math.PI * 60.0 * k / 8000.0; // Gaussian lag window of about 60 Hz
            _lagWindow[k] = Math.Exp(-0.5 * x * x);
        }

        _lagWindow[0] = 1.0001; // white-noise correction (-40 dB)
        for (int i = 0; i <= Grid; i++) _gridCos[i] = Math.Cos(Math.PI * i / Grid);
    }

    /// <summary>Window <paramref name="x"/>, analyse and quantise: writes the three split indices to <paramref name="index"/>.
    /// Falls back to the mean LSF set for silence or a degenerate analysis.</summary>
    internal void AnalyseAndQuantise(ReadOnlySpan<float> x, ReadOnlySpan<float> window, Span<int> index)
    {
        var lsf = _lsf.AsSpan();
        if (!Analyse(x, window, lsf))
        {
            var mean = IlbcTables.LsfMean;
            for (int i = 0; i < Order; i++) lsf[i] = mean[i] / 8192.0;
        }

        Quantise(lsf, index);
    }

    private bool Analyse(ReadOnlySpan<float> x, ReadOnlySpan<float> window, Span<double> lsf)
    {
        var r = _r.AsSpan();
        int n = x.Length;
        var w = _windowed.AsSpan(0, n);
        for (int i = 0; i < n; i++) w[i] = x[i] * window[i];
        for (int k = 0; k <= Order; k++)
        {
            float s = 0;
            for (int i = k; i < n; i++) s += w[i] * w[i - k];
            r[k] = s * _lagWindow[k];
        }

        if (r[0] <= 1e-3 * n) return false;

        // Levinson-Durbin.
        var a = _a.AsSpan();
        var t = _tmp.AsSpan();
        a.Clear();
        a[0] = 1;
        double err = r[0];
        for (int i = 1; i <= Order; i++)
        {
            double acc = r[i];
            for (int j = 1; j < i; j++) acc += a[j] * r[i - j];
            double k = -acc / err;
            if (Math.Abs(k) >= 1) return false;
            a.CopyTo(t);
            for (int j = 1; j < i; j++) a[j] = t[j] + (k * t[i - j]);
            a[i] = k;
            err *= 1 - (k * k);
        }

        double g = Chirp;
        for (int i = 1; i <= Order; i++, g *= Chirp) a[i] *= g;
        return Lpc2Lsf(a, lsf);
    }

    // The roots on the unit circle of P(z)/(1+z⁻¹) and Q(z)/(1-z⁻¹), P,Q = A(z) ± z⁻¹¹A(1/z), found by a sign
    // search on a grid and bisection. Each is symmetric: e^{j5ω}C(e^{jω}) = c5 + 2 Σ c_k cos((5-k)ω).
    private bool Lpc2Lsf(ReadOnlySpan<double> a, Span<double> lsf)
    {
        var p = _p.AsSpan();
        var q = _q.AsSpan();
        double pp = 0, qq = 0;
        for (int k = 0; k <= Order; k++)
        {
            double ak = a[k], bk = k == 0 ? 0 : a[Order + 1 - k];
            double pk = ak + bk, qk = ak - bk;
            pp = pk - pp;
            qq = qk + qq;
            p[k] = pp;
            q[k] = qq;
        }

        int found = 0;
        double prevP = Eval(p, _gridCos[0]), prevQ = Eval(q, _gridCos[0]);
        for (int i = 1; i <= Grid && found < Order; i++)
        {
            double c = _gridCos[i];
            double vp = Eval(p, c), vq = Eval(q, c);
            bool rootP = Math.Sign(vp) != Math.Sign(prevP) && prevP != 0;
            bool rootQ = Math.Sign(vq) != Math.Sign(prevQ) && prevQ != 0;
            if (rootP && rootQ)
            {
                // Two roots in one grid cell: take them in order.
                double rp = Bisect(p, i), rq = Bisect(q, i);
                lsf[found++] = Math.Min(rp, rq);
                if (found < Order) lsf[found++] = Math.Max(rp, rq);
            }
            else if (rootP)
            {
                lsf[found++] = Bisect(p, i);
            }
            else if (rootQ)
            {
                lsf[found++] = Bisect(q, i);
            }

            prevP = vp;
            prevQ = vq;
        }

        return found == Order;
    }

    // Bisection in x = cos ω (Eval takes x), 16 halvings of the grid cell, then back to ω.
    private double Bisect(ReadOnlySpan<double> c, int cell)
    {
        double lo = _gridCos[cell - 1], hi = _gridCos[cell];
        double flo = Eval(c, lo);
        for (int it = 0; it < 16; it++)
        {
            double mid = 0.5 * (lo + hi);
            double fm = Eval(c, mid);
            if (Math.Sign(fm) == Math.Sign(flo))
            {
                lo = mid;
                flo = fm;
            }
            else
            {
                hi = mid;
            }
        }

        return Math.Acos(0.5 * (lo + hi));
    }

    // c5 + 2 Σ_{k=0..4} c_k T_{5-k}(x), Chebyshev polynomials of x = cos ω.
    private static double Eval(ReadOnlySpan<double> c, double x)
    {
        double t0 = 1, t1 = x;
        double sum = c[5] + (2 * c[4] * t1);
        for (int m = 2; m <= 5; m++)
        {
            double t2 = (2 * x * t1) - t0;
            sum += 2 * c[5 - m] * t2;
            t0 = t1;
            t1 = t2;
        }

        return sum;
    }

    // Split VQ (§3.2.4): nearest codebook entry (squared error, Q13) for LSFs 1–3, 4–6 and 7–10.
    private static void Quantise(ReadOnlySpan<double> lsf, Span<int> index)
    {
        var cb = IlbcTables.LsfCodebook;
        int pos = 0, cbPos = 0;
        for (int s = 0; s < 3; s++)
        {
            int dim = IlbcTables.LsfDim[s], size = IlbcTables.LsfSize[s];
            double best = double.MaxValue;
            int bestIndex = 0;
            for (int e = 0; e < size; e++)
            {
                double d = 0;
                int o = cbPos + (e * dim);
                for (int j = 0; j < dim; j++)
                {
                    double diff = (lsf[pos + j] * 8192.0) - cb[o + j];
                    d += diff * diff;
                }

                if (d < best)
                {
                    best = d;
                    bestIndex = e;
                }
            }

            index[s] = bestIndex;
            pos += dim;
            cbPos += size * dim;
        }
    }
}
