using System.Runtime.CompilerServices;

namespace Pipeline.Codecs.G722;

/// <summary>
/// Sub-band packet loss concealment for <see cref="G722Decoder"/>, structured after ITU-T G.722 Appendix IV
/// (the low-complexity PLC) as its published summary describes it; our own code and parameters, not verified
/// bit-exact against the ITU-T reference. It works on the two 8 kHz sub-band signals, not on the 16 kHz output:
/// <code>
///   good frames:  rL, rH ──► kept (rings of 64 ms and 32 ms; the analysis reads the last 40 ms and 20 ms)
///
///   first lost sample of a burst: analysis of the kept lower band
///     ──► LPC A(z), order 8 (asymmetric window, lag window, Levinson) ──► residual e = A(z)·rL
///     ──► open-loop pitch T (normalised correlation, 2…18 ms) and class (voiced / weakly voiced / unvoiced)
///
///   each lost sample:
///     lower band:  e(n) = e(n − T ± jitter) ──► 1/A(z) ──► × mute(n) ──► xL
///     higher band: last period of rH repeated ──► × mute(n) ──► high-pass ──► xH
///     (the decoder then re-encodes xL, xH through its ADPCM state and runs the QMF synthesis)
///
///   first good frame: 5 ms linear cross-fade from the continued extrapolation to the decoded sub-bands
/// </code>
/// <para>Where this differs from Appendix IV (from its published description and what we measured): the ADPCM state is kept
/// in step by re-encoding the made-up sub-bands (Appendix IV instead resets the lower band's predictor memory and halves the
/// higher band's scale factor when frames resume); once the burst is muted to silence both bands restart from the initial
/// ADPCM state (Appendix IV restarts the scale factors after a long burst); the cross-fade is shorter and covers both bands;
/// there is no transient class, and no higher-band offset filter on the good frames after a loss (so decoding returns to
/// plain, bit-exact G.722). Windows, thresholds and the muting curve are ours. Nothing here allocates after construction.</para>
/// </summary>
internal sealed class G722Concealer
{
    /// <summary>Lower-band LPC order.</summary>
    internal const int Order = 8;

    /// <summary>Pitch range in 8 kHz sub-band samples: 2 ms (500 Hz) to 18 ms (55 Hz).</summary>
    internal const int MinLag = 16;
    internal const int MaxLag = 144;

    /// <summary>Kept lower-band history (sub-band samples, a power of two for the ring).</summary>
    internal const int HistoryLength = 512;

    /// <summary>The analysis reads the last <see cref="AnalysisLength"/> samples (2·MaxLag + Order + margin: 40 ms).</summary>
    internal const int AnalysisLength = 320;

    /// <summary>LPC analysis window: the last 20 ms of the lower band.</summary>
    internal const int LpcWindow = 160;

    /// <summary>Length of the correlation window of the pitch search.</summary>
    internal const int PitchWindow = MaxLag;

    /// <summary>Kept higher-band history: 20 ms.</summary>
    internal const int HighHistoryLength = 256;
    internal const int HighCycleMax = 160;

    /// <summary>First good frame: the length of the linear cross-fade from the extrapolation to the decoded sub-bands (5 ms).
    /// Appendix IV holds 2.5 ms of extrapolation and cross-fades over 7.5 ms more; with the ADPCM state re-encoded through the
    /// gap the decoded signal is usable at once, and here holding and longer fades measured worse (the extrapolation drifts).</summary>
    internal const int CrossFadeLength = 40;

    /// <summary>Muting of a voiced burst, in sub-band samples since its start: about 2 % down at 10 ms, 10 % at 20 ms,
    /// silent from 60 ms. Unvoiced bursts run the same curve twice as fast (silent from 30 ms).</summary>
    internal const int MuteEnd1 = 80, MuteEnd2 = 160, MuteEnd3 = 480;

    private const int Mask = HistoryLength - 1;
    private const int HighMask = HighHistoryLength - 1;
    private const int ExcLength = 512;
    private const int ExcMask = ExcLength - 1;

    // Kept sub-band signals (rings written by every decoded or concealed sample pair).
    private readonly short[] _low = new short[HistoryLength];
    private readonly short[] _high = new short[HighHistoryLength];
    private int _pos;

    // Analysis scratch and results.
    private readonly double[] _x = new double[AnalysisLength];
    private readonly double[] _window = BuildWindow();
    private readonly double[] _lagWindow = BuildLagWindow();
    private readonly double[] _r = new double[Order + 1];
    private readonly double[] _a = new double[Order + 1];
    private readonly double[] _tmp = new double[Order + 1];
    private readonly double[] _exc = new double[ExcLength];
    private readonly double[] _syn = new double[Order];
    private readonly short[] _highCycle = new short[HighCycleMax];
    private int _excPos;
    private int _synPos;
    private int _lag = 80;
    private int _highLag = 80;
    private int _jitter;
    private bool _voiced;
    private double _maxCorrelation;

    // Burst state.
    private bool _inBurst;        // the last sample pair was concealed
    private int _lost;            // sub-band samples made up in this burst (also after it, for the cross-fade)
    private int _muteStep = 1;    // 1 voiced, 2 unvoiced
    private int _highPeriodPos;
    private double _hpIn, _hpOut; // higher-band high-pass state

    // Cross-fade into the first good frame.
    private readonly short[] _fadeLow = new short[CrossFadeLength];
    private readonly short[] _fadeHigh = new short[CrossFadeLength];
    private int _fadePos = CrossFadeLength; // CrossFadeLength when no cross-fade is running

    /// <summary>The pitch lag (sub-band samples) of the current or last burst.</summary>
    internal int Lag => _lag;

    /// <summary>Whether the current or last burst was classified voiced.</summary>
    internal bool Voiced => _voiced;

    /// <summary>Normalised correlation at <see cref="Lag"/> (0…1).</summary>
    internal double MaxCorrelation => _maxCorrelation;

    /// <summary>True once the burst has been muted to silence (the made-up signal is zero from here on).</summary>
    internal bool Silent => _inBurst && _lost * _muteStep >= MuteEnd3;

    /// <summary>True while the first good samples after a burst are being cross-faded.</summary>
    internal bool CrossFading => _fadePos < CrossFadeLength;

    /// <summary>True when the next decoded sample pair is the first after a burst (the cross-fade must be prepared).</summary>
    internal bool InBurst => _inBurst;

    public void Reset()
    {
        Array.Clear(_low);
        Array.Clear(_high);
        _pos = 0;
        _inBurst = false;
        _lost = 0;
        _fadePos = CrossFadeLength;
        _lag = 80;
        _highLag = 80;
    }

    /// <summary>Keeps a decoded (or concealed) sub-band pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Remember(int rl, int rh)
    {
        _low[_pos & Mask] = (short)rl;
        _high[_pos & HighMask] = (short)rh;
        _pos++;
    }

    /// <summary>The first lost sample pair of a burst: analyses the kept signals.
    /// <paramref name="lowNb"/> and <paramref name="highNb"/> are the decoder's log scale factors (a hint of the band energies).</summary>
    public void StartBurst(int lowNb, int highNb)
    {
        _inBurst = true;
        _lost = 0;
        _fadePos = CrossFadeLength;

        var x = _x.AsSpan();
        for (int i = 0; i < x.Length; i++) x[i] = _low[(_pos - AnalysisLength + i) & Mask];

        Lpc(x);

        // Residual of the whole analysis buffer into the excitation ring, the last Order outputs into the synthesis memory.
        for (int n = Order; n < x.Length; n++)
        {
            double e = x[n];
            for (int k = 1; k <= Order; k++) e += _a[k] * x[n - k];
            _exc[(n - Order) & ExcMask] = e;
        }

        _excPos = x.Length - Order;
        for (int k = 0; k < Order; k++) _syn[k] = x[x.Length - Order + k];
        _synPos = 0;

        // Zero crossings of the last 10 ms (before the pitch search removes the mean from x).
        int zeroCrossings = 0;
        for (int i = x.Length - 80; i < x.Length; i++) zeroCrossings += (x[i] > 0) != (x[i - 1] > 0) ? 1 : 0;
        _lag = FindPitch(x, out _maxCorrelation);

        // Classification (after Appendix IV's criteria): voiced when the pitch correlation is high; unvoiced when the lower
        // band crosses zero often in the last 10 ms or the higher band dominates (then the harmonic repetition would buzz).
        // A very high correlation (a steady tone) counts as voiced whatever its zero-crossing rate.
        _voiced = _maxCorrelation > 0.7 && highNb <= lowNb && (zeroCrossings < 20 || _maxCorrelation > 0.95);
        bool unvoiced = !_voiced && (zeroCrossings >= 20 || highNb > lowNb);
        _muteStep = unvoiced ? 2 : 1;
        _jitter = _voiced ? 0 : 1;
        if (!_voiced && _lag < 32) _lag *= 2;
        if (_jitter != 0) _lag |= 1; // jitter alternates lag − 1 and lag + 1 around an odd lag

        // Higher band: the last period (voiced) or the last 10 ms (otherwise), its end blended into the period before it.
        int p = _voiced && _lag <= HighCycleMax ? _lag : 80;
        _highLag = p;
        int w = p / 4;
        for (int i = 0; i < p; i++)
        {
            int v = _high[(_pos - p + i) & HighMask];
            if (i >= p - w)
            {
                int t = i - (p - w) + 1;
                int before = _high[(_pos - (2 * p) + i) & HighMask];
                v = ((v * (w + 1 - t)) + (before * t)) / (w + 1);
            }

            _highCycle[i] = (short)v;
        }

        _highPeriodPos = 0;

        // Warm the high-pass up on the kept higher band so that it starts in its steady state.
        _hpIn = 0;
        _hpOut = 0;
        for (int i = HighHistoryLength - 160; i < HighHistoryLength; i++) HighPass(_high[(_pos - HighHistoryLength + i) & HighMask]);
    }

    /// <summary>The next concealed sub-band pair (already muted and limited to 15 bits).</summary>
    public void Next(out int xl, out int xh)
    {
        double gain = Gain(_lost * _muteStep);
        xl = Limit(gain * NextLow());
        xh = Limit(HighPass(gain * NextHigh()));
        if (_lost < 1 << 24) _lost++;
    }

    /// <summary>Prepares the cross-fade at the first good sample pair after a burst: the extrapolation is continued
    /// for <see cref="CrossFadeLength"/> more samples.</summary>
    public void StartCrossFade()
    {
        _inBurst = false;
        for (int i = 0; i < CrossFadeLength; i++)
        {
            Next(out int xl, out int xh);
            _fadeLow[i] = (short)xl;
            _fadeHigh[i] = (short)xh;
        }

        _fadePos = 0;
    }

    /// <summary>Mixes a decoded pair with the extrapolation during the cross-fade.</summary>
    public void CrossFade(ref int rl, ref int rh)
    {
        int w = ++_fadePos; // 1 … CrossFadeLength: weight of the decoded signal
        int i = w - 1;
        rl = ((rl * w) + (_fadeLow[i] * (CrossFadeLength - w))) / CrossFadeLength;
        rh = ((rh * w) + (_fadeHigh[i] * (CrossFadeLength - w))) / CrossFadeLength;
    }

    private double NextLow()
    {
        // Pitch repetition of the excitation (with ±1 jitter for unvoiced sounds), then the LPC synthesis filter.
        int d = _lag + _jitter;
        _jitter = -_jitter;
        double e = _exc[(_excPos - d) & ExcMask];
        _exc[_excPos & ExcMask] = e;
        _excPos++;
        double y = e;
        for (int k = 1; k <= Order; k++) y -= _a[k] * _syn[(_synPos - k) & (Order - 1)];
        _syn[_synPos & (Order - 1)] = y;
        _synPos++;
        return y;
    }

    private double NextHigh()
    {
        double v = _highCycle[_highPeriodPos];
        if (++_highPeriodPos == _highLag) _highPeriodPos = 0;
        return v;
    }

    /// <summary>First-order high-pass (zero at DC, pole at 0.8, unity gain at the sub-band Nyquist frequency): removes
    /// the offset and the rumble that repetition of a short higher-band segment can build up.</summary>
    private double HighPass(double x)
    {
        const double Pole = 0.8;
        const double Gain = (1 + Pole) / 2;
        double y = (Gain * (x - _hpIn)) + (Pole * _hpOut);
        _hpIn = x;
        _hpOut = y;
        return y;
    }

    /// <summary>Muting curve: piecewise linear, 1 → 0.98 over the first 10 ms, → 0.9 at 20 ms, → 0 at 60 ms.</summary>
    internal static double Gain(int count)
    {
        if (count < MuteEnd1) return 1 - (0.02 * count / MuteEnd1);
        if (count < MuteEnd2) return 0.98 - (0.08 * (count - MuteEnd1) / (MuteEnd2 - MuteEnd1));
        if (count < MuteEnd3) return 0.9 * (MuteEnd3 - count) / (MuteEnd3 - MuteEnd2);
        return 0;
    }

    private void Lpc(ReadOnlySpan<double> x)
    {
        // Autocorrelation of the windowed last 20 ms, lag window (60 Hz Gaussian) and a −40 dB white-noise floor.
        var seg = x[^LpcWindow..];
        for (int k = 0; k <= Order; k++)
        {
            double s = 0;
            for (int n = k; n < LpcWindow; n++) s += seg[n] * _window[n] * seg[n - k] * _window[n - k];
            _r[k] = s * _lagWindow[k];
        }

        _r[0] *= 1.0001;
        Array.Clear(_a);
        _a[0] = 1;
        if (_r[0] < 1.0) return; // silence: A(z) = 1, the residual is the (zero) signal

        // Levinson–Durbin; stops at the last stable order.
        double err = _r[0];
        for (int i = 1; i <= Order; i++)
        {
            double acc = _r[i];
            for (int j = 1; j < i; j++) acc += _a[j] * _r[i - j];
            double k = -acc / err;
            if (Math.Abs(k) >= 0.999) break;
            Array.Copy(_a, _tmp, i);
            for (int j = 1; j < i; j++) _a[j] = _tmp[j] + (k * _tmp[i - j]);
            _a[i] = k;
            err *= 1 - (k * k);
        }
    }

    /// <summary>Open-loop pitch of the sub-band signal <paramref name="x"/> (at least 2·MaxLag long): the lag in
    /// [MinLag, MaxLag] with the highest normalised correlation of the last <see cref="PitchWindow"/> samples (mean removed)
    /// with those one lag earlier. A multiple of the period may win; it repeats as well, and for a steady sound with a
    /// fractional period it drifts less than the rounded period itself.</summary>
    internal static int FindPitch(Span<double> x, out double best)
    {
        int n = x.Length;
        int from = n - PitchWindow - MaxLag;
        double mean = 0;
        for (int i = from; i < n; i++) mean += x[i];
        mean /= PitchWindow + MaxLag;
        for (int i = from; i < n; i++) x[i] -= mean; // the callers' buffer is scratch

        var target = x[(n - PitchWindow)..];
        double e1 = 0;
        foreach (var v in target) e1 += v * v;

        // Energy of the lagged window, slid one sample per lag.
        double e2 = 0;
        for (int i = n - PitchWindow - MinLag; i < n - MinLag; i++) e2 += x[i] * x[i];

        best = 0;
        int bestLag = 80;
        if (e1 <= 0) return bestLag;
        for (int lag = MinLag; lag <= MaxLag; lag++)
        {
            if (lag > MinLag)
            {
                double enter = x[n - PitchWindow - lag], leave = x[n - lag];
                e2 += (enter * enter) - (leave * leave);
            }

            var past = x.Slice(n - PitchWindow - lag, PitchWindow);
            double c = 0;
            for (int i = 0; i < PitchWindow; i++) c += target[i] * past[i];
            double r = e2 > 1e-9 ? c / Math.Sqrt(e1 * e2) : 0;
            if (r > best)
            {
                best = r;
                bestLag = lag;
            }
        }

        return bestLag;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Limit(double v)
    {
        int i = (int)Math.Round(v);
        return i > 16383 ? 16383 : (i < -16384 ? -16384 : i);
    }

    /// <summary>An asymmetric window over <see cref="LpcWindow"/> samples: a Hann rise over the first 3/4, a quarter-cosine
    /// fall over the last 1/4 (weights the newest samples most, as speech codecs' LPC windows do).</summary>
    private static double[] BuildWindow()
    {
        var w = new double[LpcWindow];
        int rise = LpcWindow * 3 / 4;
        for (int i = 0; i < rise; i++) w[i] = 0.54 - (0.46 * Math.Cos(Math.PI * i / (rise - 1)));
        for (int i = rise; i < LpcWindow; i++) w[i] = Math.Cos(Math.PI / 2 * (i - rise + 1) / (LpcWindow - rise + 1));
        return w;
    }

    private static double[] BuildLagWindow()
    {
        var w = new double[Order + 1];
        for (int k = 0; k <= Order; k++)
        {
            double f = 2 * Math.PI * 60 * k / 8000;
            w[k] = Math.Exp(-0.5 * f * f);
        }

        return w;
    }
}
