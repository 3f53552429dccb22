using Pipeline.Core.Media;

namespace Pipeline.Codecs.G722;

/// <summary>
/// ITU-T G.722 decoder at 64 kbit/s (rtpmap <c>G722/8000</c>, static payload type 9): one byte per pair of
/// 16 kHz PCM16 samples. Managed code, bit-exact with the ITU-T reference (G.191 STL) for every byte stream.
/// <code>
///   byte ──► IL (6 bit) ──► ADPCM lower band ──► rL ─┐
///        └─► IH (2 bit) ──► ADPCM higher band ──► rH ─┴─► QMF synthesis ──► 2 samples at 16 kHz
/// </code>
/// <para><b>Concealment.</b> <see cref="Conceal"/> is <em>not</em> one of the ITU-T G.722 packet loss
/// concealment algorithms (Appendix III and IV are not implemented; their output is not reproduced).
/// It is our own, documented scheme in the same spirit:</para>
/// <list type="number">
/// <item>At the first lost frame of a burst the pitch period (5 to 15 ms) is estimated by normalised
/// autocorrelation over the last 20 ms of decoded audio, and the last period is taken as a cycle whose
/// end is cross-faded into the period before so that the repetition has no step.</item>
/// <item>The cycle is repeated at full level for 10 ms, then faded out linearly to silence at 60 ms;
/// after that the made-up signal is silence.</item>
/// <item>The made-up signal is not played directly: it is re-encoded by an internal G.722 encoder started
/// from this decoder's own ADPCM state (which equals the far encoder's state after the last good frame),
/// and the codes are decoded by this decoder. So the output passes through the same QMF synthesis and
/// predictors as real speech, the start of the gap joins the past smoothly, and when frames resume the
/// decoder's predictors and scale factors describe the audio just played (no click from a stale state).
/// The made-up signal is fed ahead by the codec delay (22 samples) so that the re-encoded sub-bands line up
/// with those decoded before the loss.</item>
/// </list>
/// <para>The lengths handed to <see cref="Conceal"/> must be even (G.722 works in pairs of samples;
/// an RTP duration in 8 kHz units always converts to an even count). Nothing here allocates per frame.</para>
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
        for (int i = 0; i < payload.Length; i++)
        {
            DecodePair(payload[i], out output[2 * i], out output[(2 * i) + 1]);
        }

        _concealer.OnDecoded(output);
        return samples;
    }

    /// <summary>Fills <paramref name="pcm"/> with concealment audio for a lost frame and keeps the decoder's
    /// state in step with it (see the class remarks for the algorithm; it is not G.722 Appendix III/IV).</summary>
    /// <exception cref="ArgumentException">An odd length.</exception>
    public void Conceal(Span<short> pcm)
    {
        if ((pcm.Length & 1) != 0)
        {
            throw new ArgumentException($"G.722 conceals pairs of samples: {pcm.Length} samples is an odd count.", nameof(pcm));
        }

        _concealer.Conceal(this, pcm);
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

    internal void DecodePair(int code, out short first, out short second)
    {
        int rl = G722Band.DecodeLow(ref _low, code & 0x3F);
        int rh = G722Band.DecodeHigh(ref _high, code >> 6);
        _qmf.Push(rl + rh, rl - rh, out int odd, out int even);
        first = (short)G722Band.Sat16(odd >> 11);
        second = (short)G722Band.Sat16(even >> 11);
    }
}
