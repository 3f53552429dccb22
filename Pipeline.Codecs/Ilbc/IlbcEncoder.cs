using Pipeline.Core.Media;

namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// iLBC encoder (RFC 3951 §3; rtpmap <c>iLBC/8000</c> with a dynamic payload type, 8 kHz mono): 160 samples into a
/// 38-byte frame (20 ms mode) or 240 samples into a 50-byte frame (30 ms mode), in the bit order of RFC 3951 §3.10.
/// <code>
///   PCM ─► high-pass ─► LPC analysis ─► LSF split VQ ─► (decoder's) interpolated A(z) ─► residual
///        residual ─► start state: 2 sub-frames of most energy, 57/58 samples scalar-quantised in the all-pass domain
///                 ─► rest of the frame: 3-stage adaptive codebook search forwards, then backwards in time ─► pack
/// </code>
/// <para>The analysis is floating point; every quantised value is then rebuilt with the decoder's own integer code
/// (<c>IlbcDsp</c>), so the codebook memory the encoder searches is exactly the one the far decoder will have.
/// The codebook search minimises the error of the residual (no perceptual weighting filter), and the start state
/// is quantised by least squares against the decoder's all-pass filtering rather than RFC's sequential search; both
/// give valid RFC 3951 frames, decoded by any conforming decoder.</para>
/// <para>The first frame after construction or <see cref="Reset"/> carries no excitation (it decodes to 20 or 30 ms of
/// silence): its filters are interpolated from the decoder's LSF history, which decoders initialise differently
/// (RFC 3951 with mean LSFs, ffmpeg with zeros, which turns speech into a full-scale burst). After it, all decoders agree.</para>
/// <para><see cref="Encode"/> takes a whole number of frames (each becomes one frame of the payload, as RFC 3952
/// allows) and allocates nothing.</para>
/// </summary>
public sealed class IlbcEncoder : IAudioEncoder
{
    private const int Order = IlbcCodec.Order;
    private const int SubL = IlbcCodec.SubLength;
    private const int MemPad = 4;
    private const int MaxCodebook = 256;

    private readonly IlbcMode _mode;
    private readonly int _block, _nsub, _stateShort, _bytes, _lookback;
    private readonly IlbcAnalysis _analysis = new();
    private readonly float[] _window1;
    private readonly float[] _window2;
    private readonly float[] _lpcBuffer;      // [lookback][block] high-passed input
    private readonly float[] _hp = new float[4];
    private readonly float[] _residual = new float[240];
    private readonly double[] _a = new double[Order + 1];
    private readonly int[] _p = new int[IlbcBitstream.Count];
    private readonly short[] _lsfdeq = new short[2 * Order];
    private readonly short[] _lsfOld = new short[Order];
    private readonly short[] _syntDenum = new short[6 * (Order + 1)];
    private readonly short[] _decResidual = new short[240];
    private readonly short[] _reverse = new short[240];
    private readonly short[] _cbMem = new short[MemPad + IlbcCodec.CbMemLength + MemPad];
    private readonly short[] _stateScratch = new short[(4 * 58) + (2 * Order)];
    private readonly short[] _filtered = new short[IlbcCodec.CbMemLength + 4];
    private readonly float[] _memF = new float[IlbcCodec.CbMemLength];
    private readonly float[] _filtF = new float[IlbcCodec.CbMemLength];
    private readonly float[] _augF = new float[2 * 20 * SubL];
    private readonly float[] _energy = new float[MaxCodebook];
    private readonly float[] _target = new float[SubL];
    private readonly double[] _h = new double[2 * 58];
    private readonly double[] _g = new double[2 * 58];
    private readonly double[] _v = new double[58];
    private readonly double[] _err = new double[58];
    private readonly float[] _anaHistory = new float[Order];
    private readonly int[] _stateIdx = new int[58];
    private readonly int[] _bestIdx = new int[58];
    private bool _firstFrame = true;

    /// <summary>An encoder of <paramref name="mode"/> frames, in the initial state of a stream.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined mode.</exception>
    public IlbcEncoder(IlbcMode mode)
    {
        IlbcCodec.Validate(mode, nameof(mode));
        _mode = mode;
        _block = IlbcCodec.SamplesPerFrame(mode);
        _nsub = IlbcCodec.SubFrames(mode);
        _stateShort = IlbcCodec.StateShortLength(mode);
        _bytes = IlbcCodec.BytesPerFrame(mode);
        _lookback = mode == IlbcMode.Ms20 ? 80 : 60;
        _lpcBuffer = new float[_lookback + _block];
        _window1 = new float[240];
        _window2 = new float[240];
        for (int n = 0; n < 240; n++)
        {
            // Symmetric Hann (30 ms first set) and an asymmetric window peaking 40 samples before its end.
            _window1[n] = (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * (n + 0.5) / 240)));
            _window2[n] = n < 200
                ? (float)(0.54 - (0.46 * Math.Cos(Math.PI * (n + 0.5) / 200)))
                : (float)Math.Cos(0.5 * Math.PI * (n - 199.5) / 40.5);
        }

        Reset();
    }

    /// <summary>The frame mode.</summary>
    public IlbcMode Mode => _mode;

    public string Name => "iLBC";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>38 (20 ms) or 50 (30 ms) bytes per started frame.</summary>
    public int GetMaxEncodedLength(int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        return (samplesPerChannel + _block - 1) / _block * _bytes;
    }

    /// <summary>Encodes a whole number of frames (160 or 240 samples each) into as many frames of payload.</summary>
    /// <returns>Payload bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is no whole, non-zero number of frames, or <paramref name="payload"/> is too small.</exception>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (pcm.IsEmpty || pcm.Length % _block != 0)
        {
            throw new ArgumentException($"iLBC {(int)_mode} ms encodes frames of {_block} samples: {pcm.Length} samples is not a whole number of them.", nameof(pcm));
        }

        int frames = pcm.Length / _block;
        if (payload.Length < frames * _bytes)
        {
            throw new ArgumentException($"iLBC {(int)_mode} ms needs {_bytes} bytes per frame: {frames} frame(s), {payload.Length} bytes of room.", nameof(payload));
        }

        for (int f = 0; f < frames; f++) EncodeFrame(pcm.Slice(f * _block, _block), payload.Slice(f * _bytes, _bytes));
        return frames * _bytes;
    }

    /// <summary>Back to the initial state of a new stream.</summary>
    public void Reset()
    {
        Array.Clear(_lpcBuffer);
        Array.Clear(_hp);
        Array.Clear(_anaHistory);
        IlbcTables.LsfMean.CopyTo(_lsfOld);
        _firstFrame = true;
    }

    public override string ToString() => $"iLBC encoder ({(int)_mode} ms)";

    private void EncodeFrame(ReadOnlySpan<short> pcm, Span<byte> frame)
    {
        var p = _p.AsSpan();
        p.Clear();

        // High-pass (RFC hpInput: zeros 0.927·(1, -2, 1), poles 1, -1.906, 0.911) into the analysis buffer, at half
        // scale: the fixed-point decoders work on the residual at half amplitude and double it in their output filter.
        var buf = _lpcBuffer.AsSpan();
        buf[_block..].CopyTo(buf);
        var x = buf[_lookback..];
        float x1 = _hp[0], x2 = _hp[1], y1 = _hp[2], y2 = _hp[3];
        for (int i = 0; i < _block; i++)
        {
            float xi = 0.5f * pcm[i];
            float yi = (0.92727436f * xi) - (1.8544941f * x1) + (0.92727436f * x2) + (1.9059465f * y1) - (0.9114024f * y2);
            x2 = x1;
            x1 = xi;
            y2 = y1;
            y1 = yi;
            x[i] = yi;
        }

        _hp[0] = x1;
        _hp[1] = x2;
        _hp[2] = y1;
        _hp[3] = y2;

        // LPC analysis and quantisation; then the decoder's own filters.
        int sets = IlbcCodec.LsfSets(_mode);
        if (_mode == IlbcMode.Ms20)
        {
            _analysis.AnalyseAndQuantise(buf, _window2, p[IlbcBitstream.Lsf..]);
        }
        else
        {
            _analysis.AnalyseAndQuantise(buf[..240], _window1, p[IlbcBitstream.Lsf..]);
            _analysis.AnalyseAndQuantise(buf[60..], _window2, p[(IlbcBitstream.Lsf + 3)..]);
        }

        IlbcDsp.LsfDequant(_lsfdeq, p[IlbcBitstream.Lsf..], sets);
        IlbcDsp.LsfCheckStability(_lsfdeq, sets);
        IlbcDsp.LspInterpolate(_syntDenum, _lsfdeq, _lsfOld, _mode);

        // Residual through the quantised analysis filters A(z), sub-frame by sub-frame.
        var res = _residual.AsSpan(0, _block);
        var a = _a.AsSpan();
        for (int s = 0; s < _nsub; s++)
        {
            for (int k = 0; k <= Order; k++) a[k] = _syntDenum[(s * (Order + 1)) + k] / 4096.0;
            for (int i = s * SubL; i < (s + 1) * SubL; i++)
            {
                double e = x[i];
                for (int k = 1; k <= Order; k++) e += a[k] * (i - k >= 0 ? x[i - k] : _anaHistory[Order + i - k]);
                res[i] = (float)e;
            }
        }

        x[(_block - Order)..].CopyTo(_anaHistory);

        // The first frame of a stream is sent silent (zero excitation decodes to zeros whatever the filter): decoders
        // start from different LSF histories (RFC 3951: the mean LSFs; ffmpeg: zeros), which only this frame's
        // interpolation sees, and a zero history makes a wildly resonant filter. From the second frame on, every
        // decoder has this frame's LSFs as history and all agree.
        if (_firstFrame)
        {
            res.Clear();
            _firstFrame = false;
        }

        // Start state position (§3.5.1): the two sub-frames of most energy, a little in favour of the middle.
        int start = 1;
        double best = -1;
        for (int s = 0; s < _nsub - 1; s++)
        {
            double en = 0;
            for (int i = s * SubL; i < (s + 2) * SubL; i++) en += (double)res[i] * res[i];
            double w = (s == 0 || s == _nsub - 2) ? 0.9 : 1.0;
            if (en * w > best)
            {
                best = en * w;
                start = s + 1;
            }
        }

        int diff = IlbcCodec.StateLength - _stateShort;
        int blockStart = (start - 1) * SubL;
        double enFirst = 0, enLast = 0;
        for (int i = 0; i < _stateShort; i++)
        {
            enFirst += (double)res[blockStart + i] * res[blockStart + i];
            enLast += (double)res[blockStart + diff + i] * res[blockStart + diff + i];
        }

        bool stateFirst = enFirst > enLast;
        int startPos = stateFirst ? blockStart : blockStart + diff;
        p[IlbcBitstream.Start] = start;
        p[IlbcBitstream.StateFirst] = stateFirst ? 1 : 0;

        var dec = _decResidual.AsSpan(0, _block);
        QuantiseStartState(res.Slice(startPos, _stateShort), _syntDenum.AsSpan((start - 1) * (Order + 1), Order + 1), p);
        IlbcDsp.StateConstruct(p[IlbcBitstream.Ifm], p.Slice(IlbcBitstream.Idx, _stateShort), _syntDenum.AsSpan((start - 1) * (Order + 1), Order + 1), dec.Slice(startPos, _stateShort), _stateShort, _stateScratch);

        EncodeResidual(res, dec, p, start, stateFirst, startPos);

        p[IlbcBitstream.Empty] = 0;
        IlbcBitstream.Pack(p, _mode, frame);
    }

    // The decoder builds the start state as Out = M·v, v_j the dequantised sample of index j and M the time-reversed,
    // circularly folded all-pass filter A~(z)/A(z): M[k][j] = h(j-k) + h(len+j-k). M is nearly orthogonal, so v ≈ Mᵀ·t,
    // refined by one gradient step; then the scale (ifm) and the levels are chosen for the least error in v.
    private void QuantiseStartState(ReadOnlySpan<float> target, ReadOnlySpan<short> syntDenum, Span<int> p)
    {
        int len = _stateShort;
        var h = _h.AsSpan(0, 2 * len);
        var g = _g.AsSpan(0, 2 * len); // g[len + d] = M's value at j - k = d
        var v = _v.AsSpan(0, len);
        var err = _err.AsSpan(0, len);

        // Impulse response of A~(z)/A(z), with A~ the reversed polynomial.
        for (int n = 0; n < 2 * len; n++)
        {
            double s = n <= Order ? syntDenum[Order - n] / 4096.0 : 0;
            for (int k = 1; k <= Order && k <= n; k++) s -= syntDenum[k] / 4096.0 * h[n - k];
            h[n] = s;
        }

        for (int d = -len + 1; d < len; d++) g[len + d] = (d >= 0 ? h[d] : 0) + h[len + d];

        for (int j = 0; j < len; j++)
        {
            double s = 0;
            for (int k = 0; k < len; k++) s += g[len + j - k] * target[k];
            v[j] = s;
        }

        for (int k = 0; k < len; k++)
        {
            double s = 0;
            for (int j = 0; j < len; j++) s += g[len + j - k] * v[j];
            err[k] = target[k] - s;
        }

        for (int j = 0; j < len; j++)
        {
            double s = 0;
            for (int k = 0; k < len; k++) s += g[len + j - k] * err[k];
            v[j] += s;
        }

        // Only scales whose largest level is within 0.35…3× of the largest sample are worth trying.
        double vmax = 0;
        for (int j = 0; j < len; j++) vmax = Math.Max(vmax, Math.Abs(v[j]));
        var levels = IlbcTables.State;
        var frg = IlbcTables.FrgQuant;
        Span<float> val = stackalloc float[8];
        Span<float> mid = stackalloc float[7];
        double bestErr = double.MaxValue;
        int bestIfm = 0;
        var idx = _stateIdx.AsSpan(0, len);
        var bestIdx = _bestIdx.AsSpan(0, len);
        for (int pass = 0; pass < 2 && bestErr == double.MaxValue; pass++)
        {
            for (int ifm = 0; ifm < 64; ifm++)
            {
                int shift = ifm < 37 ? 22 : ifm < 59 ? 19 : 17;
                int round = 1 << (shift - 1);
                for (int l = 0; l < 8; l++) val[l] = ((frg[ifm] * levels[l]) + round) >> shift;
                if (pass == 0 && (val[7] < 0.35 * vmax || val[7] > 3 * vmax)) continue;
                for (int l = 0; l < 7; l++) mid[l] = 0.5f * (val[l] + val[l + 1]);
                double e = 0;
                for (int j = 0; j < len && e < bestErr; j++)
                {
                    float vj = (float)v[j];
                    int bl = 0;
                    while (bl < 7 && vj > mid[bl]) bl++;
                    idx[j] = bl;
                    float d = vj - val[bl];
                    e += d * d;
                }

                if (e < bestErr)
                {
                    bestErr = e;
                    bestIfm = ifm;
                    idx.CopyTo(bestIdx);
                }
            }
        }

        p[IlbcBitstream.Ifm] = bestIfm;
        for (int j = 0; j < len; j++) p[IlbcBitstream.Idx + j] = bestIdx[j];
    }

    // The rest of the frame in the decoder's order (§3.6): the remainder of the start sub-frames, the later
    // sub-frames forwards, the earlier ones backwards in time; each searched in, and then appended to, the
    // decoder's codebook memory.
    private void EncodeResidual(ReadOnlySpan<float> res, Span<short> dec, Span<int> p, int start, bool stateFirst, int startPos)
    {
        const int memStart = MemPad;
        var memBuf = _cbMem.AsSpan();
        var mem = memBuf.Slice(memStart, IlbcCodec.CbMemLength);
        var reverse = _reverse.AsSpan();
        var target = _target.AsSpan();
        int diff = IlbcCodec.StateLength - _stateShort;
        int stateMemStart = memStart + IlbcCodec.CbMemLength - IlbcCodec.StateCbMemLength;
        Span<int> cbIndex = stackalloc int[3];

        mem[..(IlbcCodec.CbMemLength - _stateShort)].Clear();
        if (stateFirst)
        {
            dec.Slice(startPos, _stateShort).CopyTo(mem[(IlbcCodec.CbMemLength - _stateShort)..]);
            for (int j = 0; j < diff; j++) target[j] = res[startPos + _stateShort + j];
            SearchAndBuild(memBuf, stateMemStart, IlbcCodec.StateCbMemLength, diff, target, p, 0, cbIndex, restricted: false, dec.Slice(startPos + _stateShort, diff));
        }
        else
        {
            for (int j = 0; j < _stateShort; j++) mem[IlbcCodec.CbMemLength - 1 - j] = dec[startPos + j];
            for (int j = 0; j < diff; j++) target[j] = res[startPos - 1 - j];
            SearchAndBuild(memBuf, stateMemStart, IlbcCodec.StateCbMemLength, diff, target, p, 0, cbIndex, restricted: false, reverse[..diff]);
            for (int j = 0; j < diff; j++) dec[startPos - 1 - j] = reverse[j];
        }

        int sub = 1;
        int nFor = _nsub - start - 1;
        if (nFor > 0)
        {
            mem[..(IlbcCodec.CbMemLength - IlbcCodec.StateLength)].Clear();
            dec.Slice((start - 1) * SubL, IlbcCodec.StateLength).CopyTo(mem[(IlbcCodec.CbMemLength - IlbcCodec.StateLength)..]);
            for (int s = 0; s < nFor; s++, sub++)
            {
                int at = (start + 1 + s) * SubL;
                for (int j = 0; j < SubL; j++) target[j] = res[at + j];
                var outVec = dec.Slice(at, SubL);
                SearchAndBuild(memBuf, memStart, IlbcCodec.CbMemLength, SubL, target, p, sub, cbIndex, restricted: sub == 1, outVec);
                mem[SubL..].CopyTo(mem);
                outVec.CopyTo(mem[(IlbcCodec.CbMemLength - SubL)..]);
            }
        }

        int nBack = start - 1;
        if (nBack > 0)
        {
            int got = Math.Min(SubL * (_nsub + 1 - start), IlbcCodec.CbMemLength);
            for (int j = 0; j < got; j++) mem[IlbcCodec.CbMemLength - 1 - j] = dec[((start - 1) * SubL) + j];
            mem[..(IlbcCodec.CbMemLength - got)].Clear();
            for (int s = 0; s < nBack; s++, sub++)
            {
                int at = ((start - 1) * SubL) - 1 - (s * SubL);
                for (int j = 0; j < SubL; j++) target[j] = res[at - j];
                var outVec = reverse.Slice(s * SubL, SubL);
                SearchAndBuild(memBuf, memStart, IlbcCodec.CbMemLength, SubL, target, p, sub, cbIndex, restricted: sub == 1, outVec);
                mem[SubL..].CopyTo(mem);
                outVec.CopyTo(mem[(IlbcCodec.CbMemLength - SubL)..]);
            }

            for (int j = 0; j < SubL * nBack; j++) dec[(SubL * nBack) - 1 - j] = reverse[j];
        }
    }

    // Three-stage search (§3.6.4) of one block: each stage picks the vector and quantised gain that remove the most
    // error energy from what the earlier stages left; then the block is rebuilt exactly as the decoder will.
    // The vectors are those of IlbcDsp.GetCodebook: windows of the memory and of the filtered memory, and 2×20
    // augmented vectors; they are searched as float views without building each one.
    private void SearchAndBuild(Span<short> memBuf, int memStart, int lMem, int veclen, Span<float> target, Span<int> p, int block, Span<int> cbIndex, bool restricted, Span<short> decoded)
    {
        int segments = lMem - veclen + 1;
        int augmented = veclen == SubL ? SubL / 2 : 0;
        int baseSize = segments + augmented;
        int size = 2 * baseSize;
        var filtered = _filtered.AsSpan(0, lMem + 4);
        IlbcDsp.FilterCodebookMemory(memBuf, memStart, lMem, filtered);
        var memF = _memF.AsSpan(0, lMem);
        var filtF = _filtF.AsSpan(0, lMem);
        for (int k = 0; k < lMem; k++)
        {
            memF[k] = memBuf[memStart + k];
            filtF[k] = filtered[4 + k];
        }

        var aug = _augF.AsSpan();
        if (augmented > 0)
        {
            Span<short> tmp = stackalloc short[SubL];
            for (int i = 0; i < augmented; i++)
            {
                IlbcDsp.CreateAugmented(i + (SubL / 2), memBuf, memStart + lMem, tmp);
                for (int j = 0; j < SubL; j++) aug[(i * SubL) + j] = tmp[j];
                IlbcDsp.CreateAugmented(i + (SubL / 2), filtered, lMem + 4, tmp);
                for (int j = 0; j < SubL; j++) aug[((augmented + i) * SubL) + j] = tmp[j];
            }
        }

        var energy = _energy.AsSpan();
        for (int i = 0; i < size; i++)
        {
            var c = Vector(i, memF, filtF, aug, segments, baseSize, veclen);
            energy[i] = Dot(c, c, veclen);
        }

        Span<float> gains = stackalloc float[32];
        int previousGain = 16384;
        for (int stage = 0; stage < 3; stage++)
        {
            int levels = stage == 0 ? 32 : stage == 1 ? 16 : 8;
            for (int l = 0; l < levels; l++) gains[l] = IlbcDsp.GainDequant(l, previousGain, stage) / 16384f;
            var gl = gains[..levels];

            int bestIndex = 0, bestGain = 0;
            float bestGainValue = gains[0];
            float bestGainCut = float.MinValue;
            for (int i = 0; i < size; i++)
            {
                if (restricted && stage > 0 && IlbcBitstream.IndexToWire(i) < 0) continue;
                float e = energy[i];
                if (e <= 0) continue;
                float corr = Dot(target, Vector(i, memF, filtF, aug, segments, baseSize, veclen), veclen);
                if (stage == 0 && corr <= 0) continue; // first-stage gains are positive
                if (corr * corr <= bestGainCut * e) continue; // even the ideal gain (corr/e) would not beat the best
                int g = NearestGain(gl, corr / e);
                float gq = gains[g];
                float cut = (2 * gq * corr) - (gq * gq * e);
                if (cut > bestGainCut)
                {
                    bestGainCut = cut;
                    bestIndex = i;
                    bestGain = g;
                    bestGainValue = gq;
                }
            }

            cbIndex[stage] = bestIndex;
            p[IlbcBitstream.Gain + (block * 3) + stage] = bestGain;
            p[IlbcBitstream.Cb + (block * 3) + stage] = restricted && stage > 0 ? IlbcBitstream.IndexToWire(bestIndex) : bestIndex;
            var best = Vector(bestIndex, memF, filtF, aug, segments, baseSize, veclen);
            for (int j = 0; j < veclen; j++) target[j] -= bestGainValue * best[j];
            previousGain = IlbcDsp.GainDequant(bestGain, previousGain, stage);
        }

        IlbcDsp.ConstructVector(decoded, cbIndex, p.Slice(IlbcBitstream.Gain + (block * 3), 3), memBuf, memStart, lMem, veclen);
    }

    private static ReadOnlySpan<float> Vector(int i, ReadOnlySpan<float> memF, ReadOnlySpan<float> filtF, ReadOnlySpan<float> aug, int segments, int baseSize, int veclen)
    {
        int lMem = memF.Length;
        if (i < segments) return memF.Slice(lMem - i - veclen, veclen);
        if (i < baseSize) return aug.Slice((i - segments) * SubL, SubL);
        i -= baseSize;
        if (i < segments) return filtF.Slice(lMem - i - veclen, veclen);
        return aug.Slice((baseSize - segments + i - segments) * SubL, SubL);
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int length)
    {
        var sum = System.Numerics.Vector<float>.Zero;
        int i = 0;
        for (; i + System.Numerics.Vector<float>.Count <= length; i += System.Numerics.Vector<float>.Count)
        {
            sum += new System.Numerics.Vector<float>(a[i..]) * new System.Numerics.Vector<float>(b[i..]);
        }

        float s = System.Numerics.Vector.Sum(sum);
        for (; i < length; i++) s += a[i] * b[i];
        return s;
    }

    // The gain levels are in ascending order: binary search, then the nearer neighbour.
    private static int NearestGain(ReadOnlySpan<float> gains, float want)
    {
        int lo = 0, hi = gains.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (gains[mid] < want) lo = mid + 1;
            else hi = mid;
        }

        return lo > 0 && want - gains[lo - 1] < gains[lo] - want ? lo - 1 : lo;
    }
}
