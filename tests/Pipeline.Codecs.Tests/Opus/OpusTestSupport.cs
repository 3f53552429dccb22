using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Opus;

/// <summary>A fact that needs libopus: skipped with a message when it cannot be loaded, failed under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresLibOpusFactAttribute : FactAttribute
{
    public RequiresLibOpusFactAttribute() => Skip = OpusTestSupport.NativeSkipReason;
}

internal static class OpusTestSupport
{
    public static string? NativeSkipReason => OpusCodec.IsNativeAvailable || ExternalTool.IsCi
        ? null
        : "libopus.so.0 cannot be loaded here (Debian package libopus0; ./test.sh installs it), so this native-path test cannot run (under CI=true it fails instead).";

    /// <summary>A slowly gliding tone plus a voiced-speech-like signal (pulse train through two resonances, syllable-like
    /// envelope) at <paramref name="rate"/>; for stereo the right channel has another tone and pitch, so a channel swap
    /// shows. The glide keeps the signal from being periodic, so that the best alignment is unique.</summary>
    public static short[] ToneAndSpeech(int rate, double seconds, int channels = 1, double amplitude = 0.3)
    {
        int n = (int)(seconds * rate);
        var pcm = new short[n * channels];
        for (int c = 0; c < channels; c++)
        {
            double pitch = c == 0 ? 130 : 210;
            double toneHz = Math.Min(c == 0 ? 440 : 620, rate / 2.5);
            double tonePhase = 0;
            double f1 = 700 * (c == 0 ? 1 : 0.8), f2 = Math.Min(1900 * (c == 0 ? 1 : 1.2), rate * 0.4);
            double r1 = 0.97, r2 = 0.95, w1 = 2 * Math.PI * f1 / rate, w2 = 2 * Math.PI * f2 / rate;
            double y1 = 0, y2 = 0, z1 = 0, z2 = 0, next = 0, period = rate / pitch;
            for (int i = 0; i < n; i++)
            {
                double x = 0;
                if (i >= next)
                {
                    x = 1;
                    next += period * (1 + (0.05 * Math.Sin(2 * Math.PI * 3 * i / rate))); // a little intonation
                }

                double y = x + (2 * r1 * Math.Cos(w1) * y1) - (r1 * r1 * y2);
                y2 = y1;
                y1 = y;
                double z = y + (2 * r2 * Math.Cos(w2) * z1) - (r2 * r2 * z2);
                z2 = z1;
                z1 = z;
                double t = (double)i / rate;
                double syllable = 0.35 + (0.65 * Math.Abs(Math.Sin(Math.PI * 3.3 * t)));
                tonePhase += 2 * Math.PI * toneHz * (1 + (0.5 * t)) / rate; // glides up by half an octave-ish per second
                double v = (0.5 * z / 60 * syllable) + (0.3 * Math.Sin(tonePhase));
                pcm[(i * channels) + c] = (short)Math.Clamp(Math.Round(v * amplitude * 32767), short.MinValue, short.MaxValue);
            }
        }

        return pcm;
    }

    /// <summary>One channel of interleaved audio.</summary>
    public static short[] Channel(ReadOnlySpan<short> pcm, int channel, int channels)
    {
        var x = new short[pcm.Length / channels];
        for (int i = 0; i < x.Length; i++) x[i] = pcm[(i * channels) + channel];
        return x;
    }

    /// <summary>The highest normalised cross-correlation of <paramref name="actual"/> delayed by 0…<paramref name="maxLag"/>
    /// against <paramref name="reference"/>, skipping <paramref name="skip"/> samples at the start (codec start-up).</summary>
    public static (double Correlation, int Lag) BestCorrelation(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int maxLag, int skip = 0) =>
        BestCorrelation(reference, actual, -maxLag, maxLag, skip);

    /// <summary>The highest normalised cross-correlation for delays <paramref name="minLag"/>…<paramref name="maxLag"/>.</summary>
    public static (double Correlation, int Lag) BestCorrelation(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int minLag, int maxLag, int skip)
    {
        double best = double.MinValue;
        int bestLag = 0;
        for (int lag = minLag; lag <= maxLag; lag++)
        {
            double c = Correlation(reference, actual, lag, skip);
            if (c > best)
            {
                best = c;
                bestLag = lag;
            }
        }

        return (best, bestLag);
    }

    /// <summary>Normalised correlation of reference[i] with actual[i + lag].</summary>
    public static double Correlation(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int lag, int skip = 0)
    {
        double xy = 0, xx = 0, yy = 0;
        int start = Math.Max(skip, -lag);
        int end = Math.Min(reference.Length, actual.Length - lag);
        for (int i = start; i < end; i++)
        {
            double x = reference[i], y = actual[i + lag];
            xy += x * y;
            xx += x * x;
            yy += y * y;
        }

        return xx == 0 || yy == 0 ? 0 : xy / Math.Sqrt(xx * yy);
    }

    public static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual) => SignalMeasure.SnrDb(reference, actual);

    public static double Rms(ReadOnlySpan<short> x) => SignalMeasure.Rms(x);

    /// <summary>Encodes <paramref name="pcm"/> in frames of the encoder's frame size (dropping a partial last frame).</summary>
    public static List<byte[]> EncodeAll(OpusEncoder encoder, ReadOnlySpan<short> pcm)
    {
        int frame = encoder.FrameSamples * encoder.Channels;
        var payload = new byte[encoder.GetMaxEncodedLength(encoder.FrameSamples)];
        var packets = new List<byte[]>();
        for (int i = 0; i + frame <= pcm.Length; i += frame)
        {
            int n = encoder.Encode(pcm.Slice(i, frame), payload);
            packets.Add(payload.AsSpan(0, n).ToArray());
        }

        return packets;
    }

    /// <summary>Decodes packets one after the other into one interleaved buffer.</summary>
    public static short[] DecodeAll(OpusDecoder decoder, IEnumerable<byte[]> packets)
    {
        var output = new List<short>();
        var pcm = new short[decoder.SampleRate.Hertz / 400 * 48 * decoder.Channels];
        foreach (var p in packets)
        {
            int n = decoder.Decode(p, pcm);
            output.AddRange(pcm.AsSpan(0, n * decoder.Channels));
        }

        return [.. output];
    }

    public static SampleRate Rate(int hz) => new(hz);
}
