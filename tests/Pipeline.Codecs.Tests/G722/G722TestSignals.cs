namespace Pipeline.Codecs.Tests.G722;

/// <summary>Deterministic 16 kHz test signals.</summary>
internal static class G722TestSignals
{
    public const int Rate = 16000;

    /// <summary>A linear sweep from 50 Hz to 7.9 kHz with noise, its level swept from quiet to <paramref name="peak"/>
    /// (fraction of full scale) and back, then speech-like bursts with silence between them.</summary>
    public static short[] SweepAndNoise(double seconds = 4, double peak = 0.5, int seed = 722)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / n;
            double f = 50 + (7900 - 50) * t;
            phase += 2 * Math.PI * f / Rate;
            double envelope = 0.02 + 0.98 * Math.Abs(Math.Sin(Math.PI * t * 5));
            double burst = (i / 4000) % 4 == 3 ? 0.05 : 1; // a quieter quarter second every second
            double noise = (rng.NextDouble() - 0.5) * 0.4;
            double v = (0.7 * Math.Sin(phase) + noise) * envelope * burst * peak;
            pcm[i] = (short)Math.Clamp(Math.Round(v * 32767), short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    public static short[] Tone(double hz, double seconds, double amplitude)
    {
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        for (int i = 0; i < n; i++) pcm[i] = (short)Math.Round(amplitude * 32767 * Math.Sin(2 * Math.PI * hz * i / Rate));
        return pcm;
    }

    /// <summary>A voiced-speech-like signal: a 140 Hz pulse train through two resonances, with a slow level change.</summary>
    public static short[] Voiced(double seconds, double amplitude = 0.3)
    {
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        double y1 = 0, y2 = 0, z1 = 0, z2 = 0;
        double r1 = 0.97, w1 = 2 * Math.PI * 700 / Rate, r2 = 0.95, w2 = 2 * Math.PI * 1900 / Rate;
        double period = Rate / 140.0;
        double next = 0;
        for (int i = 0; i < n; i++)
        {
            double x = 0;
            if (i >= next)
            {
                x = 1;
                next += period;
            }

            double y = x + 2 * r1 * Math.Cos(w1) * y1 - r1 * r1 * y2;
            y2 = y1;
            y1 = y;
            double z = y + 2 * r2 * Math.Cos(w2) * z1 - r2 * r2 * z2;
            z2 = z1;
            z1 = z;
            pcm[i] = (short)Math.Clamp(Math.Round(z * amplitude * 32767 / 60), short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    /// <summary>A voiced-speech-like harmonic signal: 140 Hz fundamental with a 5 Hz, ±4 % vibrato, harmonics up to 7 kHz
    /// falling 6 dB per octave and shaped by formant peaks at 700, 1200 and 2600 Hz, at <paramref name="amplitude"/> of full scale.</summary>
    public static short[] VibratoVoice(double seconds, double amplitude = 0.3)
    {
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        const int Harmonics = 50;
        var weight = new double[Harmonics + 1];
        double phase = 0, peak = 0;
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            double f0 = 140 * (1 + (0.04 * Math.Sin(2 * Math.PI * 5 * i / Rate)));
            phase += 2 * Math.PI * f0 / Rate;
            double v = 0;
            for (int k = 1; k <= Harmonics && k * f0 < 7000; k++)
            {
                double f = k * f0;
                weight[k] = (Formant(f, 700, 90) + (0.6 * Formant(f, 1200, 110)) + (0.3 * Formant(f, 2600, 160)) + 0.05) / k;
                v += weight[k] * Math.Sin(k * phase);
            }

            raw[i] = v;
            peak = Math.Max(peak, Math.Abs(v));
        }

        for (int i = 0; i < n; i++) pcm[i] = (short)Math.Round(raw[i] / peak * amplitude * 32767);
        return pcm;

        static double Formant(double f, double centre, double bandwidth)
        {
            double d = (f - centre) / bandwidth;
            return 1 / (1 + (d * d));
        }
    }
}
