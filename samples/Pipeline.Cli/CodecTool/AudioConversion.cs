using Pipeline.Core.Dsp;
using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>Brings a WAV's PCM to a codec's format: downmix to mono, then resample (Pipeline.Core's <see cref="Resampler"/>).</summary>
internal static class AudioConversion
{
    /// <summary>Averages the channels of interleaved <paramref name="pcm"/> into one.</summary>
    public static short[] Downmix(ReadOnlySpan<short> pcm, int channels)
    {
        if (channels == 1) return pcm.ToArray();
        var mono = new short[pcm.Length / channels];
        for (int i = 0; i < mono.Length; i++)
        {
            int sum = 0;
            for (int c = 0; c < channels; c++) sum += pcm[(i * channels) + c];
            mono[i] = (short)(sum / channels);
        }

        return mono;
    }

    /// <summary>Resamples interleaved <paramref name="pcm"/> channel by channel.</summary>
    public static short[] Resample(short[] pcm, int channels, SampleRate from, SampleRate to)
    {
        if (channels == 1 || from == to) return Resample(pcm, from, to);
        int frames = pcm.Length / channels;
        short[]? result = null;
        var one = new short[frames];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < frames; i++) one[i] = pcm[(i * channels) + c];
            var converted = Resample(one, from, to);
            result ??= new short[converted.Length * channels];
            for (int i = 0; i < converted.Length; i++) result[(i * channels) + c] = converted[i];
        }

        return result ?? [];
    }

    /// <summary>Resamples mono <paramref name="pcm"/> from <paramref name="from"/> to <paramref name="to"/>, compensating
    /// the resampler's delay so that the output lines up with the input and has the matching length.</summary>
    public static short[] Resample(short[] pcm, SampleRate from, SampleRate to)
    {
        if (from == to) return pcm;
        var resampler = new Resampler(from, to);
        int delayIn = resampler.Taps / 2; // the output lags the input by half the filter span
        int delayOut = (int)Math.Round((double)delayIn * to.Hertz / from.Hertz);
        int expected = (int)((long)pcm.Length * to.Hertz / from.Hertz);
        var padded = new short[pcm.Length + delayIn + resampler.Taps];
        pcm.CopyTo(padded, 0);
        var output = new short[resampler.MaxOutputFor(padded.Length)];
        int written = resampler.Process(padded, output);
        int available = Math.Max(0, written - delayOut);
        return output.AsSpan(delayOut, Math.Min(expected, available)).ToArray();
    }
}
