using Pipeline.Core.Media;

namespace Pipeline.Codecs.G722;

/// <summary>
/// ITU-T G.722 encoder at 64 kbit/s (rtpmap <c>G722/8000</c>, static payload type 9): 16 kHz PCM16 mono in,
/// one byte per pair of samples out (160 bytes per 20 ms). Managed code, bit-exact with the ITU-T reference
/// (G.191 STL): QMF analysis into two sub-bands, 6-bit ADPCM in the lower band and 2-bit ADPCM in the higher band.
/// <code>
///   x(n) 16 kHz ──► QMF analysis ──► xL 8 kHz ──► ADPCM 6 bit ──► IL ─┐
///                                └─► xH 8 kHz ──► ADPCM 2 bit ──► IH ─┴─► byte = IH·64 + IL
/// </code>
/// <para>The QMF and ADPCM state runs across calls, so a stream encodes to the same bytes whatever the
/// frame size (any even number of samples). Like the ITU-T reference (<c>qmf_tx</c>), the sub-band signals are
/// limited to 15 bits; spandsp and ffmpeg skip that limit, so for overloaded input (low-band content above about
/// -4 dBFS) their bytes differ from ours while both streams remain valid G.722. RFC 3551 quirk: the RTP clock is 8000 Hz although the audio is
/// 16 kHz (<see cref="RtpClockRate"/> versus <see cref="SampleRate"/>). <see cref="Encode"/> allocates nothing.</para>
/// </summary>
public sealed class G722Encoder : IAudioEncoder
{
    private readonly G722Qmf _qmf = new();
    private readonly bool _limitSubBands;
    private G722Band _low = G722Band.Create(G722Band.LowInitialDet);
    private G722Band _high = G722Band.Create(G722Band.HighInitialDet);

    /// <summary>A new encoder in the initial state of a stream.</summary>
    public G722Encoder()
        : this(limitSubBands: true)
    {
    }

    /// <param name="limitSubBands">True (the ITU-T reference): the QMF analysis outputs are limited to 15 bits
    /// before quantisation. False reproduces spandsp and ffmpeg, which omit that limit; the two differ only for
    /// inputs loud enough to push a sub-band past ±16384 (about -4 dBFS of low-frequency content).</param>
    internal G722Encoder(bool limitSubBands) => _limitSubBands = limitSubBands;

    public string Name => "G722";

    public SampleRate SampleRate => SampleRate.Hz16000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>One byte per two samples.</summary>
    public int GetMaxEncodedLength(int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        return (samplesPerChannel + 1) / 2;
    }

    /// <summary>Encodes <paramref name="pcm"/> (an even number of 16 kHz samples) into <c>pcm.Length / 2</c> bytes.</summary>
    /// <exception cref="ArgumentException">An odd number of samples, or <paramref name="payload"/> too small.</exception>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if ((pcm.Length & 1) != 0)
        {
            throw new ArgumentException($"G.722 encodes pairs of samples: {pcm.Length} samples is an odd count.", nameof(pcm));
        }

        int bytes = pcm.Length >> 1;
        if (payload.Length < bytes)
        {
            throw new ArgumentException($"G.722 needs one payload byte per two samples: {pcm.Length} samples, {payload.Length} bytes of room.", nameof(payload));
        }

        for (int i = 0; i < bytes; i++)
        {
            payload[i] = EncodePair(pcm[2 * i], pcm[(2 * i) + 1]);
        }

        return bytes;
    }

    /// <summary>Back to the initial state of a new stream.</summary>
    public void Reset()
    {
        _qmf.Reset();
        _low = G722Band.Create(G722Band.LowInitialDet);
        _high = G722Band.Create(G722Band.HighInitialDet);
    }

    public override string ToString() => "G722 encoder";

    internal byte EncodePair(int first, int second)
    {
        _qmf.Push(first, second, out int odd, out int even);
        int xl = (odd + even) >> 14;
        int xh = (odd - even) >> 14;
        if (_limitSubBands)
        {
            xl = G722Band.Limit(xl);
            xh = G722Band.Limit(xh);
        }

        int il = G722Band.EncodeLow(ref _low, xl);
        int ih = G722Band.EncodeHigh(ref _high, xh);
        return (byte)((ih << 6) | il);
    }

    internal ref readonly G722Band Low => ref _low;

    internal ref readonly G722Band High => ref _high;
}
