namespace Pipeline.Codecs.Tests.Ilbc;

/// <summary>Deterministic speech-like 8 kHz signals.</summary>
internal static class IlbcTestSignals
{
    public const int Rate = 8000;

    /// <summary>Voiced segments (a pulse train with a gliding pitch through three formants), a chirp, two tones,
    /// amplitude-modulated noise, and short pauses between them: <paramref name="seconds"/> long in total.</summary>
    public static short[] SpeechLike(double seconds = 4, int seed = 3951)
    {
        var rng = new Random(seed);
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        var f1 = new Resonator(650, 0.96);
        var f2 = new Resonator(1200, 0.94);
        var f3 = new Resonator(2600, 0.92);
        double nextPulse = 0, chirpPhase = 0, tonePhase1 = 0, tonePhase2 = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / Rate;
            int segment = (int)(t / 0.5) % 8;          // 0.5 s segments
            double inSeg = (t % 0.5) / 0.5;
            double v = 0;
            double envelope = Math.Sin(Math.PI * Math.Min(1, inSeg * 1.15)); // each segment rises and falls; a short gap at the end
            switch (segment)
            {
                case 0:
                case 3:
                case 6:
                    {
                        // Voiced: pitch gliding 110 → 160 Hz (or back).
                        double pitch = segment == 3 ? 160 - (50 * inSeg) : 110 + (50 * inSeg);
                        double x = 0;
                        if (i >= nextPulse)
                        {
                            x = 1;
                            nextPulse += Rate / pitch;
                        }

                        v = f3.Next(f2.Next(f1.Next(x))) * 0.02;
                        break;
                    }

                case 1:
                    chirpPhase += 2 * Math.PI * (200 + (3000 * inSeg)) / Rate;
                    v = 0.35 * Math.Sin(chirpPhase);
                    break;
                case 2:
                case 7:
                    tonePhase1 += 2 * Math.PI * 440 / Rate;
                    tonePhase2 += 2 * Math.PI * 1320 / Rate;
                    v = (0.25 * Math.Sin(tonePhase1)) + (0.1 * Math.Sin(tonePhase2));
                    break;
                case 4:
                case 5:
                    {
                        // Noise shaped by a formant and modulated at 4 Hz (unvoiced, fricative-like).
                        double noise = (rng.NextDouble() - 0.5) * 2;
                        v = f2.Next(noise) * 0.03 * (0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t)));
                        nextPulse = i;
                        break;
                    }
            }

            pcm[i] = (short)Math.Clamp(Math.Round(v * envelope * 32767), short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    /// <summary>Voiced speech only, steady pitch: the signal concealment works best on.</summary>
    public static short[] Voiced(double seconds, double pitchHz = 125, double amplitude = 0.02)
    {
        int n = (int)(seconds * Rate);
        var pcm = new short[n];
        var f1 = new Resonator(700, 0.96);
        var f2 = new Resonator(1150, 0.94);
        double next = 0;
        for (int i = 0; i < n; i++)
        {
            double x = 0;
            if (i >= next)
            {
                x = 1;
                next += Rate / pitchHz;
            }

            pcm[i] = (short)Math.Clamp(Math.Round(f2.Next(f1.Next(x)) * amplitude * 32767), short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    private sealed class Resonator(double hz, double r)
    {
        private readonly double _c1 = 2 * r * Math.Cos(2 * Math.PI * hz / Rate);
        private readonly double _c2 = -r * r;
        private double _y1, _y2;

        public double Next(double x)
        {
            double y = x + (_c1 * _y1) + (_c2 * _y2);
            _y2 = _y1;
            _y1 = y;
            return y;
        }
    }
}
