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
/// <para><b>Concealment.</b> <see cref="Conceal"/> follows the structure of ITU-T G.722 Appendix IV (the
/// low-complexity PLC) as its published description gives it. It is our own implementation, with our own windows,
/// thresholds and muting curve, <em>not</em> verified bit-exact against the ITU-T reference C code or its test
/// vectors, so its output is not the ITU's sample for sample. Without losses the decoder is plain G.722 (bit-exact); it only keeps the last
/// decoded sub-band signals. At a lost frame:</para>
/// <list type="number">
/// <item>Lower band: at the first lost frame of a burst, an order-8 LPC analysis (autocorrelation of the last 20 ms
/// under an asymmetric window, lag window, Levinson–Durbin) of the kept lower-band signal, its LPC residual, an
/// open-loop pitch estimate (2 to 18 ms) and a voiced/unvoiced class. The residual is repeated pitch-synchronously
/// (with a ±1 sample jitter when not voiced) through the LPC synthesis filter.</item>
/// <item>Higher band: the last pitch period (voiced) or the last 10 ms (otherwise) of the higher band is repeated,
/// then high-pass filtered.</item>
/// <item>Adaptive muting of both bands: about full level for the first 10 ms, down 10 % at 20 ms, silent from 60 ms
/// (unvoiced sounds twice as fast: silent from 30 ms).</item>
/// <item>The two made-up sub-band signals go through this decoder's QMF synthesis, and are re-encoded through its own
/// ADPCM state (quantiser, scale factor and predictor adaptation of both bands), so that when frames resume the
/// predictors and step sizes describe the audio just played instead of the audio before the gap (Appendix IV instead
/// resets parts of that state; both serve to decode the first good frame without a burst). Once a burst is muted to
/// silence, both bands restart from the initial ADPCM state instead (re-encoding silence would drift the predictors),
/// so that a talk spurt after a long gap starts quiet and adapts up rather than bursting.</item>
/// <item>First good frame: the extrapolation is continued for 5 ms and both sub-bands cross-fade linearly from it into
/// the decoded sub-bands (Appendix IV cross-fades the lower band only, over 10 ms of which the first 2.5 ms are pure
/// extrapolation).</item>
/// </list>
/// <para>Frames may be of any even length (10, 20, 30 ms… or a single pair); concealing 30 ms in one call or in three
/// 10 ms calls gives the same samples. Nothing here allocates per frame.</para>
/// </summary>
public sealed class G722Decoder : IAudioDecoder
{
    private readonly G722Qmf _qmf = new();
    private readonly G722Concealer _concealer = new();
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

        var output = pcm[..samples];
        int i = 0;
        if (payload.Length > 0 && _concealer.InBurst) _concealer.StartCrossFade();
        for (; i < payload.Length && _concealer.CrossFading; i++)
        {
            int code = payload[i];
            int rl = G722Band.DecodeLow(ref _low, code & 0x3F);
            int rh = G722Band.DecodeHigh(ref _high, code >> 6);
            _concealer.CrossFade(ref rl, ref rh);
            Synthesize(rl, rh, out output[2 * i], out output[(2 * i) + 1]);
        }

        for (; i < payload.Length; i++)
        {
            DecodePair(payload[i], out output[2 * i], out output[(2 * i) + 1]);
        }

        return samples;
    }

    /// <summary>Fills <paramref name="pcm"/> with concealment audio for a lost frame and keeps the decoder's state in
    /// step with it (see the class remarks: structured after G.722 Appendix IV, not bit-exact with the ITU-T code).</summary>
    /// <exception cref="ArgumentException">An odd length.</exception>
    public void Conceal(Span<short> pcm)
    {
        if ((pcm.Length & 1) != 0)
        {
            throw new ArgumentException($"G.722 conceals pairs of samples: {pcm.Length} samples is an odd count.", nameof(pcm));
        }

        if (pcm.IsEmpty) return;
        if (!_concealer.InBurst) _concealer.StartBurst(_low.Nb, _high.Nb);
        for (int i = 0; i < pcm.Length; i += 2)
        {
            _concealer.Next(out int xl, out int xh);

            if (!_concealer.Silent)
            {
                // Re-encode the made-up sub-bands through our own ADPCM state: it then follows the audio being played.
                G722Band.EncodeLow(ref _low, xl);
                G722Band.EncodeHigh(ref _high, xh);
            }
            else if (_low.Det != G722Band.LowInitialDet || _low.S != 0 || _low.A1 != 0)
            {
                // Muted to silence: restart both ADPCM bands from the initial state (as Appendix IV restarts the scale
                // factors after a long burst). Re-encoding silence would leave predictors drifted towards their limits,
                // which burst when frames resume; a fresh state starts small and adapts up to the far encoder's.
                _low = G722Band.Create(G722Band.LowInitialDet);
                _high = G722Band.Create(G722Band.HighInitialDet);
            }

            Synthesize(xl, xh, out pcm[i], out pcm[i + 1]);
        }
    }

    /// <summary>Back to the initial state of a new stream (also forgets the concealment history).</summary>
    public void Reset()
    {
        _qmf.Reset();
        _low = G722Band.Create(G722Band.LowInitialDet);
        _high = G722Band.Create(G722Band.HighInitialDet);
        _concealer.Reset();
    }

    public override string ToString() => "G722 decoder";

    internal ref readonly G722Band Low => ref _low;

    internal ref readonly G722Band High => ref _high;

    internal G722Concealer Concealer => _concealer;


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
        _concealer.Remember(rl, rh);
        _qmf.Push(rl + rh, rl - rh, out int odd, out int even);
        first = (short)G722Band.Sat16(odd >> 11);
        second = (short)G722Band.Sat16(even >> 11);
    }
}
