using System.Runtime.CompilerServices;
using static Pipeline.Codecs.G722.FixedPoint;

namespace Pipeline.Codecs.G722;

/// <summary>
/// Packet loss concealment of ITU-T G.722 Appendix IV (the fixed-point algorithm of France Telecom), our
/// implementation, bit-exact with the ITU-T reference for 10 ms and 20 ms frames. It works on the two 8 kHz
/// sub-band signals; <see cref="G722Decoder"/> runs the QMF synthesis and owns the ADPCM state.
/// <code>
///   good frames:  rL, rH ──► kept (last 297 lower-band and 160 higher-band samples)
///
///   first lost frame of a burst — analysis of the kept lower band:
///     open-loop pitch T (50 Hz high-pass, 4:1 decimation, weighted correlation, refinement at 8 kHz)
///     LPC A(z), order 8 (asymmetric window, lag window, Levinson–Durbin) ──► residual e = A(z)·rL
///     class (voiced, weakly voiced, unvoiced, voiced/unvoiced transition, transient) from the correlation,
///     the ADPCM scale factors of both bands and the zero-crossing rate; a transient limits the last period of e
///
///   every lost frame:
///     lower band:  e(n) = e(n − T ± 1 jitter) ──► 1/A(z) ──► × muting ──► xL   (+ 10 ms more kept for the cross-fade)
///     higher band: last period (voiced) or last 10 ms repeated ──► × muting ──► xH, then the offset filter
///     ADPCM: lower-band predictor memory set from xL, higher-band scale factor halved (both bands restarted
///     once the higher band is muted)
///
///   first good frame: the lower band holds the extrapolation for 2.5 ms, then fades linearly into the decoded one
///   over 7.5 ms; the higher band goes through the offset (DC) filter for 4 s of good frames after the loss
/// </code>
/// Nothing here allocates after construction.
/// </summary>
internal sealed class G722Plc
{
    internal const int Order = 8;
    internal const int MinLag = 16;
    internal const int MaxLag = 144;

    /// <summary>Kept residual: two of the longest periods and one sample.</summary>
    internal const int ExcitationLength = (2 * MaxLag) + 1;

    /// <summary>Kept lower band: the residual span plus the LPC order.</summary>
    internal const int LowHistoryLength = ExcitationLength + Order;

    internal const int HighHistoryLength = 160;

    /// <summary>Lower-band samples extrapolated beyond a lost frame for the cross-fade into the next good one (10 ms).</summary>
    internal const int CrossFadeLength = 80;

    // Signal classes (the values matter: odd classes synthesise with pitch jitter, classes above 4 are checked for transients).
    internal const int Voiced = 0;
    internal const int Unvoiced = 1;
    internal const int Transient = 3;
    internal const int WeaklyVoiced = 5;
    internal const int Transition = 7;

    /// <summary>Good-frame samples (8 kHz) filtered by the higher-band offset filter after a loss: 4 s.</summary>
    private const int HighPassSpan = 32000;

    private readonly History _lowHistory = new(LowHistoryLength);
    private readonly History _highHistory = new(HighHistoryLength);

    private readonly int[] _lpc = new int[Order + 1];
    private readonly int[] _synthesisMemory = new int[Order];
    private readonly int[] _excitation = new int[ExcitationLength];
    private readonly int[] _crossFade = new int[CrossFadeLength];

    private bool _lastLost;
    private int _pitch;
    private int _class;
    private int _maxCorrelation;
    private int _crossFadePosition;

    private int _offsetIn, _offsetOut, _offsetCount;

    private int _muteStep, _muteFirst, _muteSecond, _muteThird;
    private int _muteCountLow, _muteCountHigh, _weightLow, _weightHigh;

    // Scratch (sized for the longest use).
    private readonly int[] _low = new int[160];
    private readonly int[] _high = new int[160];
    private readonly int[] _speech = new int[LowHistoryLength];
    private readonly int[] _exc = new int[MaxLag + 3 + 160];
    private readonly int[] _syn = new int[Order + 160];
    private readonly int[] _hpSignal = new int[8 + (2 * MaxLag)];
    private readonly int[] _decimated = new int[2 * MaxLag / 4];
    private readonly int[] _weighted = new int[2 * MaxLag / 4];
    private readonly int[] _windowed = new int[80];
    private readonly int[] _rHigh = new int[Order + 1], _rLow = new int[Order + 1];
    private readonly int[] _aHigh = new int[Order + 1], _aLow = new int[Order + 1];
    private readonly int[] _nHigh = new int[Order + 1], _nLow = new int[Order + 1];
    private readonly int[] _pitchLpc = new int[3];

    public G722Plc() => Reset();

    /// <summary>The pitch lag of the current burst (8 kHz samples), for tests.</summary>
    internal int Pitch => _pitch;

    /// <summary>The signal class of the current burst, for tests.</summary>
    internal int Class => _class;

    /// <summary>The normalised pitch correlation (Q15) of the current burst's analysis, for tests.</summary>
    internal int MaxCorrelation => _maxCorrelation;

    /// <summary>True while the next good samples are still to be cross-faded with the extrapolation.</summary>
    public bool CrossFading => _crossFadePosition < CrossFadeLength;

    public void Reset()
    {
        _lowHistory.Clear();
        _highHistory.Clear();
        Array.Clear(_lpc);
        Array.Clear(_synthesisMemory);
        Array.Clear(_excitation);
        Array.Clear(_crossFade);
        _lastLost = false;
        _pitch = 0;
        _class = WeaklyVoiced;
        _maxCorrelation = 0;
        _crossFadePosition = CrossFadeLength;
        _offsetIn = _offsetOut = 0;
        _offsetCount = short.MaxValue; // no offset filtering before the first loss
        _muteCountLow = _muteCountHigh = 0;
        _weightLow = _weightHigh = short.MaxValue;
        _muteStep = 1;
        _muteFirst = 10;
        _muteSecond = 10;
        _muteThird = 170;
    }

    // ───────────────────────────── good frames ─────────────────────────────

    /// <summary>A good frame of <paramref name="pairs"/> sub-band samples starts; returns whether its higher band
    /// goes through the offset filter (it does for 4 s of good frames after a loss).</summary>
    public bool BeginGoodFrame(int pairs)
    {
        if (_offsetCount > HighPassSpan) _offsetCount = HighPassSpan;
        _offsetCount = Add(_offsetCount, Math.Min(pairs, short.MaxValue));
        _lastLost = false;
        return _offsetCount <= HighPassSpan;
    }

    /// <summary>The cross-fade of the lower band at the start of the first good frame after a loss (call while <see cref="CrossFading"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CrossFade(int decoded)
    {
        int k = _crossFadePosition++;
        int extrapolated = _crossFade[k];
        if (k < 20) return Mul(extrapolated, short.MaxValue); // 2.5 ms of extrapolation only
        int w = 546 * (k - 19); // rises by 1/60 per sample up to 32760
        return Add(Mul(decoded, w), Mul(extrapolated, Sub(short.MaxValue, w)));
    }

    /// <summary>The higher-band offset filter: a first-order high-pass (zero at DC, pole at 0.783).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RemoveOffset(int x)
    {
        int scaled = MulRound(x, 29212);
        int y = Add(scaled, Sub(MulRound(_offsetOut, 25656), _offsetIn));
        _offsetIn = scaled;
        _offsetOut = y;
        return y;
    }

    /// <summary>Keeps a decoded pair of sub-band samples (what went into the QMF synthesis).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Remember(int low, int high)
    {
        _lowHistory.Push(low);
        _highHistory.Push(high);
    }

    // ───────────────────────────── lost frames ─────────────────────────────

    /// <summary>The extrapolated lower band of the last <see cref="Extrapolate"/>.</summary>
    public ReadOnlySpan<int> LowBand(int pairs) => _low.AsSpan(0, pairs);

    /// <summary>The extrapolated higher band of the last <see cref="Extrapolate"/> (before the offset filter).</summary>
    public ReadOnlySpan<int> HighBand(int pairs) => _high.AsSpan(0, pairs);

    /// <summary>
    /// Makes up the two sub-bands of a lost frame of <paramref name="pairs"/> (80 or 160) sub-band samples;
    /// <paramref name="lowNb"/> and <paramref name="highNb"/> are the decoder's log scale factors (used by the classification).
    /// </summary>
    public void Extrapolate(int pairs, int lowNb, int highNb)
    {
        var low = _low.AsSpan(0, pairs);
        var high = _high.AsSpan(0, pairs);
        _crossFadePosition = 0;

        if (!_lastLost)
        {
            _muteCountLow = _muteCountHigh = 0;
            _weightLow = _weightHigh = short.MaxValue;
            Analyse(lowNb, highNb);

            // Muting speed: voiced and unvoiced sounds over 40 ms, a voiced/unvoiced transition over 20 ms, a transient over 10 ms.
            // (The second figure is the fixed slope of the 10 ms cross-fade buffer when frames are 10 ms.)
            int fadeSlope;
            if (_class == Transition)
            {
                SetMuting(2, 10, 0, 389);
                fadeSlope = 399;
            }
            else
            {
                SetMuting(1, 10, 10, 170);
                fadeSlope = 20;
            }

            if (_class == Transient)
            {
                SetMuting(4, 409, 0, 0);
                fadeSlope = 0;
            }

            ExtrapolateHigh(high);
            SynthesiseLow(low);
            SynthesiseLow(_crossFade);
            if (pairs == 80)
            {
                // 10 ms frames: fixed slopes over the first lost frame.
                MuteLinear(low, _muteFirst, ref _muteCountLow, ref _weightLow);
                if (_class == Transient) _weightLow = 0;
                MuteLinear(_crossFade, fadeSlope, ref _muteCountLow, ref _weightLow);
                MuteLinear(high, _muteFirst, ref _muteCountHigh, ref _weightHigh);
            }
            else
            {
                Mute(low, ref _muteCountLow, ref _weightLow);
                Mute(_crossFade, ref _muteCountLow, ref _weightLow);
                Mute(high, ref _muteCountHigh, ref _weightHigh);
            }
        }
        else
        {
            // The frame starts with the 10 ms extrapolated (and muted) at the end of the previous lost frame.
            _crossFade.AsSpan().CopyTo(low);
            if (pairs > CrossFadeLength)
            {
                var rest = low[CrossFadeLength..];
                SynthesiseLow(rest);
                Mute(rest, ref _muteCountLow, ref _weightLow);
            }

            SynthesiseLow(_crossFade);
            Mute(_crossFade, ref _muteCountLow, ref _weightLow);
            ExtrapolateHigh(high);
            Mute(high, ref _muteCountHigh, ref _weightHigh);
        }

        for (int i = 0; i < pairs; i++) Remember(low[i], high[i]);

        // The offset filter restarts unless a recent loss left it running; its 4 s count restarts in any case.
        if (_offsetCount >= HighPassSpan) _offsetIn = _offsetOut = 0;
        _offsetCount = 0;
        _lastLost = true;
    }

    /// <summary>Sets the ADPCM state after a lost frame so that decoding can resume from the extrapolation.</summary>
    public void Resynchronise(ref G722Band low, ref G722Band high)
    {
        var kept = _lowHistory.Last;
        G722Band.ResumeAfterLoss(ref low, ref high, kept[^1], kept[^2], _crossFade[0], muted: _muteCountHigh > 160);
    }

    private void SetMuting(int step, int first, int second, int third)
    {
        _muteStep = step;
        _muteFirst = first;
        _muteSecond = second;
        _muteThird = third;
    }

    /// <summary>Muting with a slope that steepens after 10 and 20 ms (counted in steps of <see cref="_muteStep"/>) and silence from 40 ms.</summary>
    private void Mute(Span<int> x, ref int count, ref int weight)
    {
        for (int i = 0; i < x.Length; i++)
        {
            weight = Sub(weight, _muteFirst);
            if (count >= 80) weight = Sub(weight, _muteSecond);
            if (count >= 160) weight = Sub(weight, _muteThird);
            if (count >= 320) weight = 0;
            if (weight <= 0) count = 320;
            x[i] = MulRound(weight, x[i]);
            count = Add(count, _muteStep);
        }
    }

    /// <summary>Muting of 80 samples with a fixed slope.</summary>
    private void MuteLinear(Span<int> x, int slope, ref int count, ref int weight)
    {
        for (int i = 0; i < 80; i++)
        {
            weight = Sub(weight, slope);
            x[i] = MulRound(weight, x[i]);
        }

        count = Add(count, _muteStep * 80);
    }

    /// <summary>Higher band: repeats the last pitch period (voiced) or the last 10 ms (other classes).</summary>
    private void ExtrapolateHigh(Span<int> x)
    {
        int period = _class == Voiced ? _pitch : 80;
        var kept = _highHistory.Last;
        int from = HighHistoryLength - period;
        for (int k = 0; k < x.Length; k++) x[k] = k < period ? kept[from + k] : x[k - period];
    }

    /// <summary>Lower band: long-term prediction of the residual (with ±1 jitter for classes other than voiced) through 1/A(z).</summary>
    private void SynthesiseLow(Span<int> y)
    {
        int n = y.Length;
        int saved = _pitch + 2;
        var exc = _exc;
        _excitation.AsSpan(ExcitationLength - saved, saved).CopyTo(exc);

        int jitter = _class & 1;
        _pitch |= jitter; // an odd lag, as the jitter alternates around it

        var s = _syn;
        _synthesisMemory.AsSpan().CopyTo(s);
        var a = _lpc;
        for (int i = 0; i < n; i++)
        {
            int e = exc[saved + i + jitter - _pitch];
            jitter = -jitter;
            exc[saved + i] = e;
            int acc = LMul(a[0], e);
            for (int j = 1; j <= Order; j++) acc = LMsu(acc, a[j], s[Order + i - j]);
            int v = Round(LShiftLeft(acc, 3));
            s[Order + i] = v;
            y[i] = v;
        }

        s.AsSpan(n, Order).CopyTo(_synthesisMemory);

        // Keep the newest lag + 2 residual samples.
        int lag = _pitch + 2;
        int p = ExcitationLength - lag;
        int older = lag - n;
        if (older > 0)
        {
            _excitation.AsSpan(p + n, older).CopyTo(_excitation.AsSpan(p));
            exc.AsSpan(saved, n).CopyTo(_excitation.AsSpan(p + older));
        }
        else
        {
            exc.AsSpan(saved + n - lag, lag).CopyTo(_excitation.AsSpan(p));
        }
    }

    // ───────────────────────────── analysis ─────────────────────────────

    private void Analyse(int lowNb, int highNb)
    {
        var kept = _lowHistory.Last;
        var speech = _speech;
        for (int i = 0; i < LowHistoryLength; i++) speech[i] = kept[i];

        _pitch = PitchOpenLoop(speech.AsSpan(LowHistoryLength - (2 * MaxLag)), out int maxCorrelation);
        _maxCorrelation = maxCorrelation;

        // LPC over the last 10 ms, then the residual over the last two periods and one sample.
        Autocorrelation(speech.AsSpan(LowHistoryLength - 80), Order, _rHigh, _rLow);
        LagWindow(Order);
        Levinson(Order, _lpc);
        Residual(speech);
        speech.AsSpan(LowHistoryLength - Order, Order).CopyTo(_synthesisMemory);

        _class = Classify(maxCorrelation, lowNb, highNb, speech);
    }

    private void Residual(ReadOnlySpan<int> speech)
    {
        var a = _lpc;
        for (int i = 0; i < ExcitationLength; i++)
        {
            int n = Order + i;
            int acc = LMul(speech[n], a[0]);
            for (int j = 1; j <= Order; j++) acc = LMac(acc, a[j], speech[n - j]);
            _excitation[i] = Round(LShiftLeft(acc, 3));
        }
    }

    private int Classify(int maxCorrelation, int lowNb, int highNb, ReadOnlySpan<int> speech)
    {
        // Downward zero crossings over the last 10 ms.
        int crossings = 0;
        for (int i = LowHistoryLength - 80; i < LowHistoryLength; i++)
        {
            if (speech[i] <= 0 && speech[i - 1] > 0) crossings++;
        }

        int cls = maxCorrelation > 22936 ? Voiced : WeaklyVoiced; // correlation above 0.7
        if (highNb > lowNb)
        {
            // Much energy in the higher band: do not repeat a strong harmonic structure.
            cls = cls == Voiced ? WeaklyVoiced : Transition;
        }

        if (crossings >= 20)
        {
            cls = Unvoiced;
            if (_pitch < 32) _pitch <<= 1;
        }

        // Weakly voiced or transition: limit the last period of the residual to the neighbourhood maximum of the one before,
        // and call it a transient where it exceeds that by 8 times or more.
        int transients = 0;
        if (cls > 4)
        {
            int last = ExcitationLength - _pitch;
            int before = last - _pitch;
            var e = _excitation;
            for (int i = 0; i < _pitch; i++)
            {
                int c = before + i;
                int max = Math.Max(Math.Max(Abs(e[c - 2]), Abs(e[c - 1])), Math.Max(Abs(e[c]), Abs(e[c + 1])));
                max = Math.Max(Abs(e[c + 2]), max);
                int v = Abs(e[last + i]);
                if (v > max)
                {
                    if ((v >> 3) >= max) transients++;
                    e[last + i] = e[last + i] < 0 ? Negate(max) : max;
                }
            }
        }

        return transients > 0 ? Transient : cls;
    }

    /// <summary>Windowed autocorrelation r(0)…r(order) of <paramref name="x"/> (uses the end of the 80-sample window),
    /// normalised, in the double-precision format.</summary>
    private void Autocorrelation(ReadOnlySpan<int> x, int order, int[] rHigh, int[] rLow)
    {
        int len = x.Length;
        var y = _windowed;
        var window = G722PlcTables.LpcWindow;
        for (int i = 0; i < len; i++) y[i] = MulRound(x[i], window[80 - len + i]);

        int sum;
        while (true)
        {
            bool overflow = false;
            sum = 1; // never zero
            for (int i = 0; i < len; i++) sum = MacTracked(sum, y[i], y[i], ref overflow);
            if (!overflow) break;
            for (int i = 0; i < len; i++) y[i] >>= 2;
        }

        int norm = NormL(sum);
        Split(LShiftLeft(sum, norm), out rHigh[0], out rLow[0]);
        for (int k = 1; k <= order; k++)
        {
            int acc = LMul(y[0], y[k]);
            for (int j = 1; j < len - k; j++) acc = LMac(acc, y[j], y[j + k]);
            Split(LShiftLeft(acc, norm), out rHigh[k], out rLow[k]);
        }
    }

    /// <summary>acc + 2·a·b, saturating, and whether anything saturated.</summary>
    private static int MacTracked(int acc, int a, int b, ref bool overflow)
    {
        int p = a * b;
        long product;
        if (p == 0x40000000)
        {
            overflow = true;
            product = int.MaxValue;
        }
        else
        {
            product = (long)p << 1;
        }

        long s = acc + product;
        if (s > int.MaxValue || s < int.MinValue) overflow = true;
        return Sat32(s);
    }

    private void LagWindow(int order)
    {
        for (int i = 1; i <= order; i++)
        {
            int x = Mul32(_rHigh[i], _rLow[i], G722PlcTables.LagHigh[i - 1], G722PlcTables.LagLow[i - 1]);
            Split(x, out _rHigh[i], out _rLow[i]);
        }
    }

    /// <summary>Levinson–Durbin on the lag-windowed autocorrelations; writes <paramref name="a"/> (Q12, a[0] = 1) only
    /// when the filter is stable (every reflection coefficient within ±32750/32768), else leaves it as it was.</summary>
    private bool Levinson(int order, Span<int> a)
    {
        int[] rh = _rHigh, rl = _rLow, ah = _aHigh, al = _aLow, nh = _nHigh, nl = _nLow;

        // k1 = -r1 / r0
        int r1 = Join(rh[1], rl[1]);
        int k = Div32(LAbs(r1), rh[0], rl[0]);
        if (r1 > 0) k = LNegate(k);
        Split(k, out int kh, out int kl);
        Split(LShiftRight(k, 4), out ah[1], out al[1]);

        // Prediction error alpha = r0 (1 - k1²), normalised.
        int t = LSub(int.MaxValue, LAbs(Mul32(kh, kl, kh, kl)));
        Split(t, out int hi, out int lo);
        t = Mul32(rh[0], rl[0], hi, lo);
        int alphaExp = NormL(t);
        Split(LShiftLeft(t, alphaExp), out int alphaHigh, out int alphaLow);

        for (int i = 2; i <= order; i++)
        {
            int sum = Mul32(rh[1], rl[1], ah[i - 1], al[i - 1]);
            for (int j = 2; j < i; j++) sum = LAdd(sum, Mul32(rh[j], rl[j], ah[i - j], al[i - j]));
            sum = LAdd(LShiftLeft(sum, 4), Join(rh[i], rl[i]));

            int ki = Div32(LAbs(sum), alphaHigh, alphaLow);
            if (sum > 0) ki = LNegate(ki);
            ki = LShiftLeft(ki, alphaExp);
            Split(ki, out kh, out kl);
            if (Abs(kh) > 32750) return false;

            for (int j = 1; j < i; j++)
            {
                int v = LAdd(Mul32(kh, kl, ah[i - j], al[i - j]), Join(ah[j], al[j]));
                Split(v, out nh[j], out nl[j]);
            }

            Split(LShiftRight(ki, 4), out nh[i], out nl[i]);

            t = LSub(int.MaxValue, LAbs(Mul32(kh, kl, kh, kl)));
            Split(t, out hi, out lo);
            t = Mul32(alphaHigh, alphaLow, hi, lo);
            int shift = NormL(t);
            Split(LShiftLeft(t, shift), out alphaHigh, out alphaLow);
            alphaExp += shift;

            for (int j = 1; j <= i; j++)
            {
                ah[j] = nh[j];
                al[j] = nl[j];
            }
        }

        a[0] = 4096;
        for (int i = 1; i <= order; i++) a[i] = Round(LShiftLeft(Join(ah[i], al[i]), 1));
        return true;
    }

    /// <summary>
    /// Open-loop pitch of the last 36 ms (<paramref name="signal"/>, 288 samples at 8 kHz): 50 Hz high-pass, low-pass
    /// and 4:1 decimation, a second-order weighting filter, the best normalised correlation over 4…35 decimated lags
    /// (favouring the previous best's multiples), then a search at 8 kHz within ±2 of it. Lags are 16…142.
    /// </summary>
    private int PitchOpenLoop(ReadOnlySpan<int> signal, out int maxCorrelation)
    {
        const int Len = 2 * MaxLag;        // 288
        const int LenDs = Len / 4;         // 72
        const int LastDs = LenDs - 1;      // 71
        const int FirstDs = (MaxLag / 4) + 1; // 37: the decimated correlation window is [37, 71]
        const int Pad = 8;                 // filter history (zeros) before the signal

        // 50 Hz high-pass.
        var hp = _hpSignal;
        for (int i = 0; i < Pad; i++) hp[i] = 0;
        int x1 = 0, yHigh = 0, yLow = 0;
        for (int i = 0; i < Len; i++)
        {
            int x = signal[i];
            int acc = x * G722PlcTables.HighPassB0;
            acc = LMac0(acc, x1, G722PlcTables.HighPassB1);
            x1 = x;
            acc = LMac0(acc, yHigh, G722PlcTables.HighPassA1);
            int accLow = yLow * G722PlcTables.HighPassA1;
            acc = LAdd(LShiftLeft(acc, 2), LShiftRight(accLow, 13));
            Split(acc, out yHigh, out yLow);
            hp[Pad + i] = Round(acc);
        }

        // Low-pass FIR and 4:1 decimation.
        var ds = _decimated;
        var fir = G722PlcTables.Decimation;
        for (int i = 3, m = 0; i < Len; i += 4, m++)
        {
            int acc = hp[Pad + i] * fir[0];
            for (int k = 1; k < fir.Length; k++) acc = LMac0(acc, hp[Pad + i - k], fir[k]);
            ds[m] = Round(acc);
        }

        // Second-order LPC of the decimated signal, bandwidth-expanded (0.94), as a weighting filter A(z/0.94).
        Autocorrelation(ds.AsSpan(0, LenDs), 2, _rHigh, _rLow);
        LagWindow(2);
        var ai = _pitchLpc;
        Levinson(2, ai); // an unstable result keeps the previous coefficients
        int a1 = Round(LMul(ai[1], 30802));
        int a2 = Round(LMul(ai[2], 28954));
        var w = _weighted;
        w[0] = ds[0];
        w[1] = Add(ds[1], Round(LShiftLeft(LMul(a1, ds[0]), 3)));
        for (int i = 2; i < LenDs; i++)
        {
            int acc = LMac(LMul(a1, ds[i - 1]), a2, ds[i - 2]);
            w[i] = Add(ds[i], Round(LShiftLeft(acc, 3)));
        }

        // Decimated search.
        int best = MaxLag / 2 / 4; // 18 when nothing correlates
        int sinceBest = 0;
        bool valid = false; // only after the correlation has gone negative once (past the first lobe)
        int energy1 = 1;
        for (int j = LastDs; j >= FirstDs; j--) energy1 = LMac0(energy1, w[j], w[j]);
        int norm1 = NormL(energy1);
        int maxco = 0;
        int energy2 = LMsu0(energy1, w[LastDs], w[LastDs]);
        for (int i = 1; i < MaxLag / 4; i++)
        {
            sinceBest++;
            int corr = 0;
            for (int j = LastDs; j >= FirstDs; j--) corr = LMac0(corr, w[j], w[j - i]);
            energy2 = LMac0(energy2, w[FirstDs - i], w[FirstDs - i]);
            int co = NormalisedCorrelation(corr, energy1, energy2, norm1);
            energy2 = LMsu0(energy2, w[LastDs - i], w[LastDs - i]);
            if (co < 0) valid = true;
            if (valid)
            {
                if (sinceBest == best || sinceBest == ShiftLeft(best, 1))
                {
                    // A multiple of the best lag so far: favour it (a double period is rarely right after a high correlation).
                    if (maxco > 27850) maxco = short.MaxValue;
                    int eighth = maxco >> 3;
                    if (maxco < 29126) maxco = Add(maxco, eighth);
                }

                if (co > maxco && i >= MinLag / 4)
                {
                    maxco = co;
                    best = i;
                    sinceBest = 1;
                }
            }
        }

        int coarse = ShiftLeft(best, 2);
        int lag = coarse;

        // Scale the high-passed signal down where the 8 kHz correlation might overflow (its first sample is left as is).
        if (LSub(energy1, 0x01000000) > 0)
        {
            for (int i = 1; i < Len; i++) hp[Pad + i] >>= 1;
        }

        // Refinement at 8 kHz around the coarse lag, over the last `coarse` samples.
        int start = Math.Max(Sub(coarse, 2), MinLag);
        int end = Add(coarse, 2);
        int first = Len - coarse;
        int last = Len - 1;
        int p = Pad; // hp index of signal sample 0
        int jj = last - start;
        energy1 = LMac0(1, hp[p + last], hp[p + last]);
        energy2 = LMac0(1, hp[p + jj], hp[p + jj]);
        for (int j = last - 1; j >= first; j--)
        {
            energy1 = LMac0(energy1, hp[p + j], hp[p + j]);
            energy2 = LMac0(energy2, hp[p + j - start], hp[p + j - start]);
        }

        jj = first - start;
        energy2 = LMsu0(energy2, hp[p + jj], hp[p + jj]);
        norm1 = NormL(energy1);
        maxco = 0;
        for (int i = start; i <= end; i++)
        {
            int corr = 0;
            energy2 = LMac0(energy2, hp[p + first - i], hp[p + first - i]);
            for (int j = last; j >= first; j--) corr = LMac0(corr, hp[p + j], hp[p + j - i]);
            int co = NormalisedCorrelation(corr, energy1, energy2, norm1);
            if (co > maxco) lag = i;
            maxco = Math.Max(co, maxco);
            energy2 = LMsu0(energy2, hp[p + last - i], hp[p + last - i]);
        }

        if (maxco < 8192 && lag < 32) lag <<= 1; // weak correlation and a very short lag: take twice the lag
        maxCorrelation = maxco;
        return lag;
    }

    /// <summary>corr / max(e1, e2, corr) in Q15 for a positive correlation (the raw rounded value otherwise), all
    /// three normalised by the same shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NormalisedCorrelation(int corr, int energy1, int energy2, int norm1)
    {
        int shift = Math.Min(norm1, NormL(energy2));
        int e1 = Round(LShiftLeft(energy1, shift));
        int e2 = Round(LShiftLeft(energy2, shift));
        int co = Round(LShiftLeft(corr, shift));
        int em = Math.Max(e1, e2);
        if (co > em) em = co;
        return co > 0 ? Div(co, em) : co;
    }

    /// <summary>The last <c>length</c> values of a sub-band signal, in a linear buffer moved back when full.</summary>
    private sealed class History
    {
        private readonly short[] _buffer;
        private readonly int _length;
        private int _end;

        public History(int length)
        {
            _length = length;
            _buffer = new short[length + 2048];
            _end = length;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(int x)
        {
            if (_end == _buffer.Length)
            {
                Array.Copy(_buffer, _end - _length, _buffer, 0, _length);
                _end = _length;
            }

            _buffer[_end++] = (short)x;
        }

        /// <summary>Oldest first.</summary>
        public ReadOnlySpan<short> Last => new(_buffer, _end - _length, _length);

        public void Clear()
        {
            Array.Clear(_buffer);
            _end = _length;
        }
    }
}
