namespace Pipeline.Codecs.Tests.G729;

/// <summary>Deterministic 8 kHz speech-like test signals for G.729 (a speech codec: pure tones say little).</summary>
internal static class G729TestSignals
{
    public const int Rate = 8000;

    /// <summary>Voiced "syllables": a glottal pulse train whose pitch glides between 110 and 190 Hz, through two
    /// moving formant resonances, with a little breath noise, its level modulated at 3 Hz (syllable rate).</summary>
    public static short[] Speech(double seconds, double peak = 0.4, int seed = 729)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * Rate);
        var raw = new double[n];
        double y1 = 0, y2 = 0, z1 = 0, z2 = 0, next = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / Rate;
            double pitch = 150 + (40 * Math.Sin(2 * Math.PI * 0.7 * t));
            double x = (rng.NextDouble() - 0.5) * 0.05;
            if (i >= next)
            {
                x += 1;
                next += Rate / pitch;
            }

            double f1 = 600 + (200 * Math.Sin(2 * Math.PI * 1.3 * t));
            double f2 = 1700 + (500 * Math.Sin(2 * Math.PI * 0.9 * t));
            double r1 = 0.96, w1 = 2 * Math.PI * f1 / Rate, r2 = 0.93, w2 = 2 * Math.PI * f2 / Rate;
            double y = x + (2 * r1 * Math.Cos(w1) * y1) - (r1 * r1 * y2);
            y2 = y1;
            y1 = y;
            double z = y + (2 * r2 * Math.Cos(w2) * z1) - (r2 * r2 * z2);
            z2 = z1;
            z1 = z;
            double envelope = 0.25 + (0.75 * Math.Abs(Math.Sin(Math.PI * 3 * t)));
            raw[i] = (y + (0.5 * z)) * envelope;
        }

        double max = 0;
        foreach (var v in raw) max = Math.Max(max, Math.Abs(v));
        var pcm = new short[n];
        for (int i = 0; i < n; i++) pcm[i] = (short)Math.Round(raw[i] / max * peak * 32767);
        return pcm;
    }

    /// <summary>Low white noise at about <paramref name="dbfs"/> RMS (a quiet room between talkspurts).</summary>
    public static short[] Noise(double seconds, double dbfs, int seed = 7290)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * Rate);
        double amplitude = Math.Pow(10, dbfs / 20) * 32767 * Math.Sqrt(3); // uniform noise: RMS = A/√3
        var pcm = new short[n];
        for (int i = 0; i < n; i++) pcm[i] = (short)Math.Round((rng.NextDouble() * 2 - 1) * amplitude);
        return pcm;
    }
}
