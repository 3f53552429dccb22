using System.Runtime.CompilerServices;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.G722;

/// <summary>
/// ITU-T G.722 decoder at 64 kbit/s (rtpmap <c>G722/8000</c>, static payload type 9): one byte per pair of
/// 16 kHz PCM16 samples. Managed code, bit-exact with the ITU-T reference (G.191 STL) for every byte stream.
/// <code>
///   byte ──► IL (6 bit) ──► ADPCM lower band ──► rL ─┐
///        └─► IH (2 bit) ──► ADPCM higher band ──► rH ─┴─► QMF synthesis ──► 2 samples at 16 kHz
/// </code>
/// <para><b>Concealment.</b> <see cref="Conceal"/> is the packet loss concealment of ITU-T G.722 Appendix IV (France
/// Telecom's fixed-point algorithm), bit-exact with the ITU-T reference C code for streams of 10 ms or 20 ms frames,
/// including what that algorithm does to the good frames after a loss. In short (details in <see cref="G722Plc"/>): the
/// lower band is extrapolated by LPC and pitch analysis of the last good audio (residual repeated pitch-synchronously
/// through the LPC filter), the higher band by repeating its last period; both are muted progressively (silent after
/// 10 to 40 ms depending on the signal class); the ADPCM state is set from the extrapolation at each lost frame; the first
/// good frame cross-fades the lower band from the extrapolation to the decoded signal over 10 ms, and the higher band of
/// good frames goes through an offset (DC) filter for 4 s after a loss. A stream without losses decodes as plain G.722.</para>
/// <para><b>Frame lengths.</b> <see cref="Decode"/> accepts any payload length (the cross-fade after a loss continues
/// into the next call if a payload is shorter than 10 ms). <see cref="Conceal"/> works in the frame lengths of Appendix IV:
/// a multiple of 320 samples is concealed as that many 20 ms frames, another multiple of 160 samples as 10 ms frames;
/// other lengths are refused. The ITU-T reference is verified with a fixed frame length (all 10 ms or all 20 ms);
/// mixing lengths is a natural continuation of it. Nothing here allocates per frame.</para>
/// </summary>
public sealed class G722Decoder : IAudioDecoder
{
    private readonly G722Qmf _qmf = new();
    private readonly G722Plc _plc = new();
    private G722Band _low = G722Band.Create(G722Band.LowInitialDet);
    private G722Band _high = G722Band.Create(G722Band.HighInitialDet);

    public string Name => "G722";

    public SampleRate SampleRate => SampleRate.Hz16000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>Two samples per payload byte.</summary>
    public int GetSampleCount(ReadOnlySpan<byte> payload) => payload.Length * 2;

    /// <summary>Decodes <paramref name="payload"/> into <c>2 · payload.Length</c> samples at 16 kHz.</summary>
    /// <returns>The samples written, <c>2 · payload.Length</c> (as <see cref="IAudioDecoder.Decode"/> says; it returned the byte count before).</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is too small.</exception>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        int samples = payload.Length * 2;
        if (pcm.Length < samples)
        {
            throw new ArgumentException($"G.722 decodes two samples per payload byte: {payload.Length} bytes, room for {pcm.Length} samples.", nameof(pcm));
        }

        if (payload.IsEmpty) return 0;
        var output = pcm[..samples];
        bool offsetFilter = _plc.BeginGoodFrame(payload.Length);
        int i = 0;

        // First good frame after a loss: the lower band cross-fades from the extrapolation (higher band offset-filtered).
        for (; i < payload.Length && _plc.CrossFading; i++)
        {
            int code = payload[i];
            int rl = G722Band.DecodeLow(ref _low, code & 0x3F);
            int rh = G722Band.DecodeHigh(ref _high, code >> 6);
            rl = _plc.CrossFade(rl);
            rh = _plc.RemoveOffset(rh);
            _plc.Remember(rl, rh);
            SynthesizeSaturating(rl, rh, out output[2 * i], out output[(2 * i) + 1]);
        }

        if (offsetFilter)
        {
            // Within 4 s after a loss: the higher band goes through the offset filter.
            for (; i < payload.Length; i++)
            {
                int code = payload[i];
                int rl = G722Band.DecodeLow(ref _low, code & 0x3F);
                int rh = _plc.RemoveOffset(G722Band.DecodeHigh(ref _high, code >> 6));
                _plc.Remember(rl, rh);
                SynthesizeSaturating(rl, rh, out output[2 * i], out output[(2 * i) + 1]);
            }
        }

        for (; i < payload.Length; i++)
        {
            DecodePair(payload[i], out output[2 * i], out output[(2 * i) + 1]);
        }

        return samples;
    }

    /// <summary>Fills <paramref name="pcm"/> with the G.722 Appendix IV concealment of a lost frame and updates the decoder's
    /// state as that algorithm does (see the class remarks).</summary>
    /// <exception cref="ArgumentException">A length that is not a multiple of 160 samples (10 ms).</exception>
    public void Conceal(Span<short> pcm)
    {
        if (pcm.Length % 160 != 0)
        {
            throw new ArgumentException(
                $"G.722 Appendix IV conceals whole 10 ms or 20 ms frames: {pcm.Length} samples is not a multiple of 160 samples (10 ms at 16 kHz).",
                nameof(pcm));
        }

        int frame = pcm.Length % 320 == 0 ? 320 : 160;
        for (int offset = 0; offset < pcm.Length; offset += frame) ConcealFrame(pcm.Slice(offset, frame));
    }

    private void ConcealFrame(Span<short> pcm)
    {
        int pairs = pcm.Length / 2;
        _plc.Extrapolate(pairs, _low.Nb, _high.Nb);
        var low = _plc.LowBand(pairs);
        var high = _plc.HighBand(pairs);
        for (int i = 0; i < pairs; i++)
        {
            SynthesizeSaturating(low[i], _plc.RemoveOffset(high[i]), out pcm[2 * i], out pcm[(2 * i) + 1]);
        }

        _plc.Resynchronise(ref _low, ref _high);
    }

    /// <summary>Back to the initial state of a new stream (also forgets the concealment history).</summary>
    public void Reset()
    {
        _qmf.Reset();
        _low = G722Band.Create(G722Band.LowInitialDet);
        _high = G722Band.Create(G722Band.HighInitialDet);
        _plc.Reset();
    }

    public override string ToString() => "G722 decoder";

    internal ref readonly G722Band Low => ref _low;

    internal ref readonly G722Band High => ref _high;

    internal G722Plc Plc => _plc;


    /// <summary>Plain G.722 decoding of one byte (the sub-band signals are kept for concealment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void DecodePair(int code, out short first, out short second)
    {
        int rl = G722Band.DecodeLow(ref _low, code & 0x3F);
        int rh = G722Band.DecodeHigh(ref _high, code >> 6);
        Synthesize(rl, rh, out first, out second);
    }

    /// <summary>Keeps the sub-band pair and runs the QMF synthesis on it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Synthesize(int rl, int rh, out short first, out short second)
    {
        _plc.Remember(rl, rh);
        _qmf.Push(rl + rh, rl - rh, out int odd, out int even);
        first = (short)G722Band.Sat16(odd >> 11);
        second = (short)G722Band.Sat16(even >> 11);
    }

    /// <summary>QMF synthesis of a pair that may exceed the decoder's 15-bit range (concealment, cross-fade, offset
    /// filter): the sum and difference saturate to 16 bits as in the reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SynthesizeSaturating(int rl, int rh, out short first, out short second)
    {
        _qmf.Push(FixedPoint.Add(rl, rh), FixedPoint.Sub(rl, rh), out int odd, out int even);
        first = (short)G722Band.Sat16(odd >> 11);
        second = (short)G722Band.Sat16(even >> 11);
    }
}
