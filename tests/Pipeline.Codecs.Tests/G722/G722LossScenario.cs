using Pipeline.Codecs.G722;

namespace Pipeline.Codecs.Tests.G722;

/// <summary>How a lost frame is filled in a <see cref="G722LossScenario"/>.</summary>
internal enum G722LossMode
{
    /// <summary><see cref="G722Decoder.Conceal"/> (G.722 Appendix IV).</summary>
    Concealer,

    /// <summary>Silence, the decoder left as it was (what a receiver without PLC does).</summary>
    Silence,
}

/// <summary>Decodes a G.722 stream in fixed frames with some frames lost, and measures the result against the lossless decode.</summary>
internal static class G722LossScenario
{
    public static byte[] Encode(short[] pcm)
    {
        var coded = new byte[pcm.Length / 2];
        new G722Encoder().Encode(pcm, coded);
        return coded;
    }

    /// <summary>Decodes <paramref name="coded"/> in frames of <paramref name="frame"/> samples; frames for which
    /// <paramref name="lost"/> is true are filled as <paramref name="mode"/> says.</summary>
    public static short[] Decode(byte[] coded, Func<int, bool> lost, G722LossMode mode = G722LossMode.Concealer, int frame = 320)
    {
        var decoder = new G722Decoder();
        var output = new short[coded.Length * 2];
        for (int f = 0; f * frame < output.Length; f++)
        {
            int length = Math.Min(frame, output.Length - (f * frame));
            var pcm = output.AsSpan(f * frame, length);
            if (!lost(f))
            {
                decoder.Decode(coded.AsSpan(f * frame / 2, length / 2), pcm);
                continue;
            }

            switch (mode)
            {
                case G722LossMode.Concealer:
                    decoder.Conceal(pcm);
                    break;
                default:
                    pcm.Clear();
                    break;
            }
        }

        return output;
    }

    /// <summary>Segmental SNR (dB) of <paramref name="actual"/> against <paramref name="reference"/> over
    /// <paramref name="segment"/>-sample segments, each limited to [-10, 40] dB as is usual.</summary>
    public static double SegmentalSnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int segment = 80)
    {
        double sum = 0;
        int count = 0;
        for (int s = 0; s + segment <= reference.Length; s += segment)
        {
            double snr = G722Measure.SnrDb(reference.Slice(s, segment), actual.Slice(s, segment));
            sum += Math.Clamp(snr, -10, 40);
            count++;
        }

        return count == 0 ? 0 : sum / count;
    }

    public static int MaxStep(ReadOnlySpan<short> x)
    {
        int m = 0;
        for (int i = 1; i < x.Length; i++) m = Math.Max(m, Math.Abs(x[i] - x[i - 1]));
        return m;
    }

    public static int MaxAbs(ReadOnlySpan<short> x)
    {
        int m = 0;
        foreach (var v in x) m = Math.Max(m, Math.Abs((int)v));
        return m;
    }

    /// <summary>Milliseconds from <paramref name="from"/> (a sample index) until the lossy decode stays within
    /// <paramref name="snrDb"/> of the lossless one (every later 5 ms segment at least that SNR); -1 if it never does.</summary>
    public static double ConvergenceMs(short[] clean, short[] lossy, int from, double snrDb = 30)
    {
        const int Segment = 80;
        int last = -1; // start of the last segment below the SNR
        for (int s = from; s + Segment <= clean.Length; s += Segment)
        {
            double snr = G722Measure.SnrDb(clean.AsSpan(s, Segment), lossy.AsSpan(s, Segment));
            if (snr < snrDb) last = s;
        }

        if (last + (2 * Segment) > clean.Length) return -1;
        return last < 0 ? 0 : (last + Segment - from) / 16.0;
    }
}
