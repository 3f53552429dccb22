using Pipeline.Codecs.G722;

namespace Pipeline.Codecs.Tests.G722;

/// <summary>
/// The concealment <see cref="G722Decoder"/> had before the Appendix IV-structured one, kept here only as the baseline
/// the new one is measured against: pitch repetition of the 16 kHz output (last period, tail cross-faded) at full level
/// for 10 ms, faded out linearly to silence at 60 ms, re-encoded through the decoder's own ADPCM state.
/// <code>
///   decoded history (60 ms) ──► pitch P ──► cycle (last P, tail cross-faded) ──► repeat · gain(t)
///        ──► internal encoder (state copied from the decoder) ──► codes ──► decoder ──► output
/// </code>
/// </summary>
internal sealed class G722LegacyConcealer
{
    internal const int HistoryLength = 960;   // 60 ms at 16 kHz
    internal const int MinLag = 80;           // 5 ms
    internal const int MaxLag = 240;          // 15 ms
    internal const int Window = 320;          // 20 ms correlation window
    internal const int FullLevelSamples = 160; // 10 ms at full level
    internal const int SilentFrom = 960;       // silence after 60 ms

    /// <summary>Delay of the QMF analysis plus synthesis (samples): the decoder's output at time t is the
    /// encoder's input at t - 22, so the made-up signal is fed to the internal encoder 22 samples ahead.</summary>
    internal const int CodecDelay = 22;

    private readonly short[] _history = new short[HistoryLength];
    private readonly short[] _cycle = new short[MaxLag];
    private readonly short[] _qmfHistory = new short[G722Qmf.Taps - 2];
    private readonly G722Encoder _encoder = new();
    private int _lag = MinLag;
    private int _lost; // samples made up in the current burst; 0 when the last frame was real

    /// <summary>Samples made up since the last real frame.</summary>
    internal int LostSamples => _lost;

    /// <summary>The pitch period in use in the current burst.</summary>
    internal int Lag => _lag;

    public void Reset()
    {
        Array.Clear(_history);
        _lost = 0;
        _lag = MinLag;
    }

    /// <summary>A real frame was decoded: remember it and end any loss burst.</summary>
    public void OnDecoded(ReadOnlySpan<short> pcm)
    {
        _lost = 0;
        Remember(pcm);
    }

    public void Conceal(G722Decoder decoder, Span<short> pcm)
    {
        if (_lost == 0) StartBurst(decoder);
        for (int i = 0; i < pcm.Length; i += 2)
        {
            int ahead = _lost + CodecDelay;
            byte code = _encoder.EncodePair(Made(ahead), Made(ahead + 1));
            decoder.DecodePair(code, out pcm[i], out pcm[i + 1]);
            if (_lost < int.MaxValue - 2) _lost += 2;
        }

        Remember(pcm);
    }

    private void StartBurst(G722Decoder decoder)
    {
        var y = _history.AsSpan();
        int n = y.Length;
        _lag = FindPitch(y);
        int p = _lag;

        // One period, its last quarter cross-faded into the period before, so that the cycle's end flows into its start.
        y.Slice(n - p, p).CopyTo(_cycle);
        int w = p / 4;
        for (int i = p - w; i < p; i++)
        {
            int t = i - (p - w) + 1; // 1 … w
            _cycle[i] = (short)(((y[n - p + i] * (w + 1 - t)) + (y[n - (2 * p) + i] * t)) / (w + 1));
        }

        // The internal encoder takes over the decoder's ADPCM state; its analysis filter has "seen" the made-up
        // samples that, shifted by the codec delay, cover the 22 input samples before the gap.
        for (int i = 0; i < _qmfHistory.Length; i++) _qmfHistory[i] = Made(CodecDelay - _qmfHistory.Length + i);
        _encoder.SetState(decoder.Low, decoder.High, _qmfHistory);
    }

    /// <summary>The made-up signal at sample <paramref name="t"/> of the burst (0 = the first lost sample).</summary>
    private short Made(int t)
    {
        if (t >= SilentFrom) return 0;
        int v = _cycle[t % _lag];
        if (t < FullLevelSamples) return (short)v;
        return (short)(v * (SilentFrom - t) / (SilentFrom - FullLevelSamples));
    }

    /// <summary>The lag in [MinLag, MaxLag] that maximises the normalised correlation of the last
    /// <see cref="Window"/> samples with the samples one lag earlier.</summary>
    internal static int FindPitch(ReadOnlySpan<short> y)
    {
        int n = y.Length;
        var target = y.Slice(n - Window, Window);
        int best = MinLag;
        double bestScore = 0;
        for (int lag = MinLag; lag <= MaxLag; lag++)
        {
            var past = y.Slice(n - Window - lag, Window);
            long c = 0, e = 0;
            for (int i = 0; i < Window; i++)
            {
                c += target[i] * past[i];
                e += past[i] * past[i];
            }

            if (c <= 0 || e == 0) continue;
            double score = (double)c * c / e;
            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    private void Remember(ReadOnlySpan<short> pcm)
    {
        if (pcm.Length >= _history.Length)
        {
            pcm[^_history.Length..].CopyTo(_history);
            return;
        }

        Array.Copy(_history, pcm.Length, _history, 0, _history.Length - pcm.Length);
        pcm.CopyTo(_history.AsSpan(_history.Length - pcm.Length));
    }
}
