using Pipeline.Core.Media;

namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// iLBC decoder (RFC 3951 §4; rtpmap <c>iLBC/8000</c> with a dynamic payload type, 8 kHz mono). Managed fixed-point
/// code that computes the same integers as the fixed-point reference decoders without the optional enhancer
/// (§4.6): for every valid frame its output equals ffmpeg's native <c>ilbc</c> decoder sample for sample.
/// <code>
///   frame ──► unpack ──► LSF dequant ─► interpolate ─► A(z) per 40-sample sub-frame ───────────────┐
///                    └─► start state (scalar + all-pass) ─► 3-stage codebook fwd/back ─► residual ─┴─► 1/A(z) ─► high-pass ─► PCM
/// </code>
/// <para><b>Payloads.</b> An RTP payload (RFC 3952) carries one or more whole frames of one mode: 38 bytes per 20 ms frame
/// or 50 bytes per 30 ms frame. A 38-byte payload is decoded as 20 ms and a 50-byte one as 30 ms whatever mode this decoder
/// was made for (it switches and starts afresh); other sizes must be a multiple of the current mode's frame size (else of
/// the other mode's), and all frames in them are decoded in order. Any other size is an <see cref="ArgumentException"/>.
/// A frame whose last ("empty frame") bit is set, whose start-state position is invalid, or whose start-state codebook
/// index is out of range (126 or 127 in 20 ms mode) is concealed instead.</para>
/// <para><b>Concealment</b> (<see cref="Conceal"/>) follows RFC 3951 §4.5 (Appendix A.14, <c>doThePLC</c>): at the first lost
/// frame the pitch lag found at the end of the last good frame is refined (±3) by normalised correlation over the last
/// residual, and its periodicity sets the mix of pitch repetition and noise (residual samples picked at random lags);
/// the excitation is repeated with a gain falling by 5 % and 10 % within the frame, and over a burst to 0.9, 0.7, 0.5 of
/// that after 40, 80, 120 ms and to silence after 160 ms (the RFC code tests these thresholds in an order that never
/// reaches the lower gains; we apply them as its text intends). The last good LPC filter synthesises the excitation.
/// When frames resume, the first 5 ms of the decoded frame are cross-faded from the continued concealment signal.</para>
/// <para>Nothing allocates per frame after construction.</para>
/// </summary>
public sealed class IlbcDecoder : IAudioDecoder
{
    private const int Order = IlbcCodec.Order;
    private const int SubL = IlbcCodec.SubLength;
    private const int MemPad = 4;
    private const int MergeLength = 40;

    private readonly bool _zeroInitialLsf;
    private readonly int[] _p = new int[IlbcBitstream.Count];
    private readonly short[] _lsfdeq = new short[2 * Order];
    private readonly short[] _lsfOld = new short[Order];
    private readonly short[] _syntDenum = new short[6 * (Order + 1)];
    private readonly short[] _decResidual = new short[240];
    private readonly short[] _reverse = new short[240];
    private readonly short[] _cbMem = new short[MemPad + IlbcCodec.CbMemLength + MemPad];
    private readonly short[] _stateScratch = new short[(4 * 58) + (2 * Order)];
    private readonly short[] _synth = new short[Order + 240];   // [filter memory][frame]
    private readonly short[] _prevResidual = new short[240];
    private readonly short[] _plcResidual = new short[240];
    private readonly short[] _randVec = new short[240];
    private readonly short[] _prevLpc = new short[Order + 1];
    private readonly short[] _hpY = new short[4];
    private readonly short[] _hpX = new short[2];
    private readonly short[] _frame = new short[240];
    private readonly short[] _lastOutput = new short[240];

    private IlbcMode _mode;
    private int _block, _nsub, _stateShort;
    private int _lastLag, _consecutiveLost, _prevLost, _prevScale, _prevLag, _perSquare, _useLag;
    private short _seed;
    private bool _lastWasConcealed;

    /// <summary>A decoder for frames of <paramref name="mode"/> (it still follows a payload of the other mode's size).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined mode.</exception>
    public IlbcDecoder(IlbcMode mode)
        : this(mode, zeroInitialLsf: false)
    {
    }

    /// <param name="mode">The frame mode.</param>
    /// <param name="zeroInitialLsf">True starts from an all-zero "previous LSF" set as ffmpeg's decoder does, instead of
    /// the RFC's mean LSF set (this changes only how the first frame is interpolated; used to test bit-exactness).</param>
    internal IlbcDecoder(IlbcMode mode, bool zeroInitialLsf)
    {
        IlbcCodec.Validate(mode, nameof(mode));
        _zeroInitialLsf = zeroInitialLsf;
        Init(mode);
    }

    /// <summary>The mode of the frames decoded last (or given at construction).</summary>
    public IlbcMode Mode => _mode;

    public string Name => "iLBC";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>160 samples per 38-byte frame or 240 per 50-byte frame (see the class remarks for the sizes accepted).</summary>
    /// <exception cref="ArgumentException">A payload size that is no whole number of frames.</exception>
    public int GetSampleCount(ReadOnlySpan<byte> payload)
    {
        var mode = ModeOf(payload.Length, nameof(payload));
        return payload.Length / IlbcCodec.BytesPerFrame(mode) * IlbcCodec.SamplesPerFrame(mode);
    }

    /// <summary>Decodes all frames of <paramref name="payload"/> into <paramref name="pcm"/>.</summary>
    /// <returns>Samples written (160 or 240 per frame).</returns>
    /// <exception cref="ArgumentException">A payload size that is no whole number of frames, or <paramref name="pcm"/> too small.</exception>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        var mode = ModeOf(payload.Length, nameof(payload));
        int bytes = IlbcCodec.BytesPerFrame(mode);
        int frames = payload.Length / bytes;
        int samples = frames * IlbcCodec.SamplesPerFrame(mode);
        if (pcm.Length < samples)
        {
            throw new ArgumentException($"iLBC: a {payload.Length}-byte payload decodes to {samples} samples; room for {pcm.Length}.", nameof(pcm));
        }

        if (mode != _mode) Init(mode);
        for (int f = 0; f < frames; f++)
        {
            DecodeFrame(payload.Slice(f * bytes, bytes), pcm.Slice(f * _block, _block));
        }

        return samples;
    }

    /// <summary>Fills <paramref name="pcm"/> with concealment audio (RFC 3951 §4.5; see the class remarks). Any length is
    /// accepted: it is produced a frame at a time, and a partial last frame is cut (its state still advances a whole frame).</summary>
    public void Conceal(Span<short> pcm)
    {
        while (pcm.Length >= _block)
        {
            ConcealFrame(pcm[.._block]);
            pcm = pcm[_block..];
        }

        if (!pcm.IsEmpty)
        {
            ConcealFrame(_frame.AsSpan(0, _block));
            _frame.AsSpan(0, pcm.Length).CopyTo(pcm);
        }
    }

    /// <summary>Back to the initial state of a new stream in the current mode.</summary>
    public void Reset() => Init(_mode);

    public override string ToString() => $"iLBC decoder ({(int)_mode} ms)";

    private IlbcMode ModeOf(int length, string paramName)
    {
        if (length == 38) return IlbcMode.Ms20;
        if (length == 50) return IlbcMode.Ms30;
        var other = _mode == IlbcMode.Ms20 ? IlbcMode.Ms30 : IlbcMode.Ms20;
        if (length > 0 && length % IlbcCodec.BytesPerFrame(_mode) == 0) return _mode;
        if (length > 0 && length % IlbcCodec.BytesPerFrame(other) == 0) return other;
        throw new ArgumentException($"iLBC: a {length}-byte payload is no whole number of 38-byte (20 ms) or 50-byte (30 ms) frames.", paramName);
    }

    private void Init(IlbcMode mode)
    {
        _mode = mode;
        _block = IlbcCodec.SamplesPerFrame(mode);
        _nsub = IlbcCodec.SubFrames(mode);
        _stateShort = IlbcCodec.StateShortLength(mode);
        if (_zeroInitialLsf) Array.Clear(_lsfOld);
        else IlbcTables.LsfMean.CopyTo(_lsfOld);
        Array.Clear(_syntDenum);
        Array.Clear(_decResidual);
        Array.Clear(_synth);
        Array.Clear(_prevResidual);
        Array.Clear(_prevLpc);
        _prevLpc[0] = 4096;
        for (int i = 0; i < _nsub; i++) _syntDenum[i * (Order + 1)] = 4096;
        Array.Clear(_hpY);
        Array.Clear(_hpX);
        Array.Clear(_lastOutput);
        _lastLag = 20;
        _consecutiveLost = 0;
        _prevLost = 0;
        _prevScale = 0;
        _prevLag = 0;
        _perSquare = 0;
        _useLag = 20;
        _seed = 0;
        _lastWasConcealed = false;
    }

    private void DecodeFrame(ReadOnlySpan<byte> bytes, Span<short> output)
    {
        var p = _p.AsSpan();
        IlbcBitstream.Unpack(bytes, _mode, p);
        int start = p[IlbcBitstream.Start];
        if (p[IlbcBitstream.Empty] != 0 || start < 1 || start > _nsub - 1 || !StateCodebookIndicesValid(p))
        {
            ConcealFrame(output);
            return;
        }

        p[IlbcBitstream.Cb + 4] = IlbcBitstream.IndexFromWire(p[IlbcBitstream.Cb + 4]);
        p[IlbcBitstream.Cb + 5] = IlbcBitstream.IndexFromWire(p[IlbcBitstream.Cb + 5]);
        int sets = IlbcCodec.LsfSets(_mode);
        IlbcDsp.LsfDequant(_lsfdeq, p[IlbcBitstream.Lsf..], sets);
        IlbcDsp.LsfCheckStability(_lsfdeq, sets);
        IlbcDsp.LspInterpolate(_syntDenum, _lsfdeq, _lsfOld, _mode);
        DecodeResidual(p, _decResidual);

        // Remember the residual and filter for concealment (§4.5: doThePLC with no loss).
        _consecutiveLost = 0;
        _prevLost = 0;
        _syntDenum.AsSpan((_nsub - 1) * (Order + 1), Order + 1).CopyTo(_prevLpc);
        _decResidual.AsSpan(0, _block).CopyTo(_prevResidual);

        Synthesize(_decResidual, _syntDenum, output, perSubFrameFilter: true);

        if (_lastWasConcealed) MergeAfterLoss(output);
        _lastWasConcealed = false;
        output.CopyTo(_lastOutput);
    }

    // The 20 ms mode's start-state codebook has 126 vectors but 7-bit indices: 126 and 127 mean a corrupt frame.
    private bool StateCodebookIndicesValid(ReadOnlySpan<int> p)
    {
        int size = IlbcDsp.CodebookSize(IlbcCodec.StateCbMemLength, IlbcCodec.StateLength - _stateShort);
        return p[IlbcBitstream.Cb] < size && p[IlbcBitstream.Cb + 1] < size && p[IlbcBitstream.Cb + 2] < size;
    }

    // Pitch lag for a later loss, LPC synthesis filter per sub-frame, output high-pass.
    private void Synthesize(short[] residual, ReadOnlySpan<short> filters, Span<short> output, bool perSubFrameFilter)
    {
        _lastLag = _mode == IlbcMode.Ms20
            ? IlbcDsp.XcorrCoeffBackward(residual, _block - 60, _block - 80, 60, 80, 20)
            : IlbcDsp.XcorrCoeffBackward(residual, _block - 80, _block - 100, 80, 100, 20);

        var synth = _synth.AsSpan();
        residual.AsSpan(0, _block).CopyTo(synth[Order..]);
        for (int i = 0; i < _nsub; i++)
        {
            var a = perSubFrameFilter ? filters.Slice(i * (Order + 1), Order + 1) : filters[..(Order + 1)];
            IlbcDsp.FilterAr(synth, Order + (i * SubL), synth, Order + (i * SubL), a, SubL);
        }

        synth.Slice(Order, _block).CopyTo(output);
        synth.Slice(_block, Order).CopyTo(synth); // filter memory for the next frame
        IlbcDsp.HpOutput(output, _hpY, _hpX);
    }

    private void DecodeResidual(ReadOnlySpan<int> p, Span<short> decresidual)
    {
        const int memStart = MemPad;
        var memBuf = _cbMem.AsSpan();
        var mem = memBuf.Slice(memStart, IlbcCodec.CbMemLength);
        var reverse = _reverse.AsSpan();
        int start = p[IlbcBitstream.Start];
        bool stateFirst = p[IlbcBitstream.StateFirst] != 0;
        int diff = IlbcCodec.StateLength - _stateShort;
        int startPos = stateFirst ? (start - 1) * SubL : ((start - 1) * SubL) + diff;
        var cb = p.Slice(IlbcBitstream.Cb, 15);
        var gain = p.Slice(IlbcBitstream.Gain, 15);

        IlbcDsp.StateConstruct(p[IlbcBitstream.Ifm], p.Slice(IlbcBitstream.Idx, _stateShort), _syntDenum.AsSpan((start - 1) * (Order + 1), Order + 1), decresidual.Slice(startPos, _stateShort), _stateShort, _stateScratch);

        // The rest of the two start sub-frames, from a codebook of the start state (§4.4).
        int stateMemStart = memStart + IlbcCodec.CbMemLength - IlbcCodec.StateCbMemLength;
        mem[..(IlbcCodec.CbMemLength - _stateShort)].Clear();
        if (stateFirst)
        {
            decresidual.Slice(startPos, _stateShort).CopyTo(mem[(IlbcCodec.CbMemLength - _stateShort)..]);
            IlbcDsp.ConstructVector(decresidual.Slice(startPos + _stateShort, diff), cb[..3], gain[..3], memBuf, stateMemStart, IlbcCodec.StateCbMemLength, diff);
        }
        else
        {
            for (int j = 0; j < _stateShort; j++) mem[IlbcCodec.CbMemLength - 1 - j] = decresidual[startPos + j];
            IlbcDsp.ConstructVector(reverse[..diff], cb[..3], gain[..3], memBuf, stateMemStart, IlbcCodec.StateCbMemLength, diff);
            for (int j = 0; j < diff; j++) decresidual[startPos - 1 - j] = reverse[j];
        }

        int sub = 1;
        int nFor = _nsub - start - 1;
        if (nFor > 0)
        {
            mem[..(IlbcCodec.CbMemLength - IlbcCodec.StateLength)].Clear();
            decresidual.Slice((start - 1) * SubL, IlbcCodec.StateLength).CopyTo(mem[(IlbcCodec.CbMemLength - IlbcCodec.StateLength)..]);
            for (int s = 0; s < nFor; s++, sub++)
            {
                var target = decresidual.Slice((start + 1 + s) * SubL, SubL);
                IlbcDsp.ConstructVector(target, cb.Slice(sub * 3, 3), gain.Slice(sub * 3, 3), memBuf, memStart, IlbcCodec.CbMemLength, SubL);
                mem[SubL..].CopyTo(mem);
                target.CopyTo(mem[(IlbcCodec.CbMemLength - SubL)..]);
            }
        }

        int nBack = start - 1;
        if (nBack > 0)
        {
            int got = Math.Min(SubL * (_nsub + 1 - start), IlbcCodec.CbMemLength);
            for (int j = 0; j < got; j++) mem[IlbcCodec.CbMemLength - 1 - j] = decresidual[((start - 1) * SubL) + j];
            mem[..(IlbcCodec.CbMemLength - got)].Clear();
            for (int s = 0; s < nBack; s++, sub++)
            {
                var target = reverse.Slice(s * SubL, SubL);
                IlbcDsp.ConstructVector(target, cb.Slice(sub * 3, 3), gain.Slice(sub * 3, 3), memBuf, memStart, IlbcCodec.CbMemLength, SubL);
                mem[SubL..].CopyTo(mem);
                target.CopyTo(mem[(IlbcCodec.CbMemLength - SubL)..]);
            }

            for (int j = 0; j < SubL * nBack; j++) decresidual[(SubL * nBack) - 1 - j] = reverse[j];
        }
    }

    private void ConcealFrame(Span<short> output)
    {
        ConcealResidual();
        _plcResidual.AsSpan(0, _block).CopyTo(_decResidual);
        Synthesize(_decResidual, _prevLpc, output, perSubFrameFilter: false);
        _lastWasConcealed = true;
        output.CopyTo(_lastOutput);
    }

    // RFC 3951 §4.5 / A.14 doThePLC for a lost frame, in fixed point: pitch repetition mixed with noise by periodicity.
    private void ConcealResidual()
    {
        int block = _block;
        var prev = _prevResidual.AsSpan(0, block);
        var plc = _plcResidual.AsSpan(0, block);
        var rand = _randVec.AsSpan(0, block);
        _consecutiveLost++;
        int lag, maxPerSquare;
        if (_prevLost != 1)
        {
            int max = IlbcDsp.MaxAbs(prev);
            int scale3 = Math.Max(0, (IlbcDsp.SizeInBits((uint)max) << 1) - 25);
            _prevScale = scale3;
            int inlag = _lastLag;
            lag = inlag - 3;
            int corrLen = Math.Min(60, block - (inlag + 3));
            Correlation(prev, lag, corrLen, scale3, out int cross, out int ener);
            int shiftMax = IlbcDsp.SizeInBits((uint)Math.Abs(cross)) - 15;
            int crossSquareMax = (short)(((short)IlbcDsp.Shift(cross, -shiftMax) * (short)IlbcDsp.Shift(cross, -shiftMax)) >> 15);
            int enerComp = 0;
            for (int j = inlag - 2; j <= inlag + 3; j++)
            {
                Correlation(prev, j, corrLen, scale3, out int crossComp, out enerComp);
                int shift1 = IlbcDsp.SizeInBits((uint)Math.Abs(crossComp)) - 15;
                int crossSquare = (short)(((short)IlbcDsp.Shift(crossComp, -shift1) * (short)IlbcDsp.Shift(crossComp, -shift1)) >> 15);
                int shift2 = IlbcDsp.SizeInBits((uint)ener) - 15;
                int measure = (short)IlbcDsp.Shift(ener, -shift2) * crossSquare;
                int shift3 = IlbcDsp.SizeInBits((uint)enerComp) - 15;
                int maxMeasure = (short)IlbcDsp.Shift(enerComp, -shift3) * crossSquareMax;
                int t1 = 0, t2 = 0;
                if ((shiftMax << 1) + shift3 > (shift1 << 1) + shift2) t1 = Math.Min(31, (shiftMax << 1) + shift3 - (shift1 << 1) - shift2);
                else t2 = Math.Min(31, (shift1 << 1) + shift2 - (shiftMax << 1) - shift3);
                if ((measure >> t1) > (maxMeasure >> t2))
                {
                    lag = j;
                    crossSquareMax = crossSquare;
                    cross = crossComp;
                    shiftMax = shift1;
                    ener = enerComp;
                }
            }

            int energy = IlbcDsp.ScaleDot(prev[(block - corrLen)..], prev[(block - corrLen)..], corrLen, scale3);
            if (energy > 0 && ener > 0)
            {
                int scale1 = IlbcDsp.NormW32(energy) - 16;
                int e1 = (short)IlbcDsp.Shift(energy, scale1);
                int scale2 = IlbcDsp.NormW32(ener) - 16;
                int e2 = (short)IlbcDsp.Shift(ener, scale2);
                int denom = (short)((e1 * e2) >> 16);
                int totscale = scale1 + scale2 - 1;
                int c1 = (short)IlbcDsp.Shift(cross, totscale >> 1);
                int c2 = (short)IlbcDsp.Shift(cross, totscale - (totscale >> 1));
                int nom = c1 * c2;
                maxPerSquare = denom != 0 ? (short)Math.Clamp(nom / denom, short.MinValue, short.MaxValue) : 0;
                if (maxPerSquare < 0) maxPerSquare = 0;
            }
            else
            {
                maxPerSquare = 0;
            }
        }
        else
        {
            lag = _prevLag;
            maxPerSquare = _perSquare;
        }

        // Gain over a burst of losses (the thresholds applied from the longest down, as RFC 3951 §4.5 describes).
        int lostSamples = _consecutiveLost * block;
        int useGain = lostSamples > 1280 ? 0 : lostSamples > 960 ? 16384 : lostSamples > 640 ? 22938 : lostSamples > 320 ? 29491 : 32767;

        int pitchFact;
        if (maxPerSquare > 7868)
        {
            pitchFact = 32767;
        }
        else if (maxPerSquare > 839)
        {
            int ind = 5;
            while (maxPerSquare < IlbcTables.PlcPerSqr[ind] && ind > 0) ind--;
            int t = IlbcTables.PlcPitchFact[ind] + ((IlbcTables.PlcPfSlope[ind] * (maxPerSquare - IlbcTables.PlcPerSqr[ind])) >> 11);
            pitchFact = Math.Min(t, 32767);
        }
        else
        {
            pitchFact = 0;
        }

        int useLag = lag < 80 ? 2 * lag : lag;
        useLag = Math.Min(useLag, block);
        _useLag = useLag;
        int energyOut = 0;
        for (int i = 0; i < block; i++)
        {
            _seed = (short)((_seed * 31821) + 13849);
            int randlag = 53 + (_seed & 63);
            int pick = i - randlag;
            rand[i] = pick < 0 ? prev[block + pick] : prev[pick];
            pick = i - useLag;
            plc[i] = pick < 0 ? prev[block + pick] : plc[pick];
            int totGain = i < 80 ? useGain : i < 160 ? (31130 * useGain) >> 15 : (29491 * useGain) >> 15;
            int mixed = ((pitchFact * plc[i]) + ((32767 - pitchFact) * rand[i]) + 16384) >> 15;
            plc[i] = (short)((totGain * (short)mixed) >> 15);
            energyOut += (plc[i] * plc[i]) >> (_prevScale + 1);
        }

        // Below 30 dB: noise only (at the burst's gain, so that a long loss still fades to silence).
        if (energyOut < IlbcDsp.Shift(block * 900, -_prevScale - 1))
        {
            for (int i = 0; i < block; i++) plc[i] = (short)((useGain * rand[i]) >> 15);
        }

        _prevLag = lag;
        _perSquare = maxPerSquare;
        _prevLost = 1;
        plc.CopyTo(prev);
    }

    private void Correlation(ReadOnlySpan<short> buffer, int lag, int srange, int scale, out int corr, out int ener)
    {
        int blen = _block;
        var w = buffer[(blen - srange - lag)..];
        corr = IlbcDsp.ScaleDot(buffer[(blen - srange)..], w, srange, scale);
        ener = IlbcDsp.ScaleDot(w, w, srange, scale);
        if (ener == 0)
        {
            corr = 0;
            ener = 1;
        }
    }

    // First good frame after concealment: fade from the concealment continued by one more pitch cycle into the decoded audio.
    private void MergeAfterLoss(Span<short> output)
    {
        int period = Math.Clamp(_useLag, 20, _block);
        int n = Math.Min(MergeLength, output.Length);
        for (int i = 0; i < n; i++)
        {
            int cont = _lastOutput[_block - period + (i % period)];
            output[i] = (short)(((cont * (n - i)) + (output[i] * i)) / n);
        }
    }
}
