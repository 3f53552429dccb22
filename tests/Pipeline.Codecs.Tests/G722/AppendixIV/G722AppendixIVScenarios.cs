using System.Security.Cryptography;
using Pipeline.Codecs.G722;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>One loss scenario: a G.722 stream (from <see cref="G722Encoder"/>), its frame length and which frames are lost.</summary>
/// <param name="Name">File-name friendly name.</param>
/// <param name="FrameSamples">Frame length in 16 kHz samples (320 = 20 ms, 160 = 10 ms).</param>
/// <param name="Pcm">The encoded audio.</param>
/// <param name="Lost">One entry per frame.</param>
internal sealed record G722AppendixIVScenario(string Name, int FrameSamples, short[] Pcm, bool[] Lost)
{
    public byte[] Stream()
    {
        var coded = new byte[Pcm.Length / 2];
        new G722Encoder().Encode(Pcm, coded);
        return coded;
    }

    /// <summary>The mask as the reference harness reads it: '1' received, '0' lost.</summary>
    public string Mask()
    {
        var c = new char[Lost.Length];
        for (int i = 0; i < c.Length; i++) c[i] = Lost[i] ? '0' : '1';
        return new string(c);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The per-frame checksum of the reference files: the first 8 bytes of the SHA-256 of the frame's samples (16-bit little-endian).</summary>
    public static string FrameHash(ReadOnlySpan<short> frame)
    {
        var bytes = new byte[frame.Length * 2];
        for (int i = 0; i < frame.Length; i++)
        {
            bytes[2 * i] = (byte)frame[i];
            bytes[(2 * i) + 1] = (byte)(frame[i] >> 8);
        }

        return FrameHash(bytes);
    }

    /// <summary>The per-frame checksum of the reference files for bytes: the first 8 bytes of their SHA-256.</summary>
    public static string FrameHash(ReadOnlySpan<byte> frame) => Convert.ToHexStringLower(SHA256.HashData(frame).AsSpan(0, 8));

    public override string ToString() => Name;
}

/// <summary>
/// The deterministic loss scenarios of the Appendix IV bit-exactness tests. Audio is made with integer arithmetic only
/// (a sine table from an integer recurrence, integer phase accumulators, a 32-bit LCG) so the bytes are the same on every
/// machine; <c>tools/g722-appendix-iv/regenerate.sh</c> dumps them for the ITU-T reference decoder.
/// </summary>
internal static class G722AppendixIVScenarios
{
    private const int Rate = 16000;
    private const int Frame20 = 320;
    private const int Frame10 = 160;

    public static IReadOnlyList<G722AppendixIVScenario> All { get; } = Build();

    public static G722AppendixIVScenario Get(string name)
    {
        foreach (var s in All)
        {
            if (s.Name == name) return s;
        }

        throw new ArgumentOutOfRangeException(nameof(name), name, "No such scenario.");
    }

    private static List<G722AppendixIVScenario> Build()
    {
        var list = new List<G722AppendixIVScenario>();

        // Speech-like mix: vowels at several levels with gliding pitch, fricative noise, silence, a loud passage.
        short[] Mix(int seconds, uint seed) => Signal.Speechlike(seconds * Rate, seed);

        list.Add(Make("single", Frame20, Mix(3, 11), f => f is 23 or 61 or 98 or 131));
        list.Add(Make("burst3", Frame20, Mix(3, 12), f => f is (>= 40 and <= 42) or (>= 100 and <= 102)));
        list.Add(Make("burst12", Frame20, Mix(3, 13), f => f is >= 50 and <= 61));
        list.Add(Make("every5th", Frame20, Mix(3, 14), f => f % 5 == 4));
        list.Add(Make("random10", Frame20, Mix(4, 15), Random(150, 100)));
        list.Add(Make("random30", Frame20, Mix(4, 16), Random(160, 300)));
        list.Add(Make("start", Frame20, Mix(2, 17), f => f is <= 2 or 30));
        list.Add(Make("transient", Frame20, Signal.Transients(3 * Rate, [49 * Frame20 + 250, 79 * Frame20 + 300, 119 * Frame20]), f => f is 50 or 51 or 80 or 120));
        list.Add(Make("loud", Frame20, Signal.Loud(3 * Rate), f => f is 30 or 31 or 77 or (>= 110 and <= 115)));
        list.Add(Make("offset-filter-expiry", Frame20, Mix(6, 18), f => f is 20 or 245 or 250 or 251));
        list.Add(Make("tenms-random", Frame10, Mix(3, 19), Random(170, 150)));
        list.Add(Make("tenms-bursts", Frame10, Mix(3, 20), f => f is 40 or (>= 90 and <= 92) or (>= 150 and <= 163) or 220));
        list.Add(Make("tenms-transient", Frame10, Signal.Transients(3 * Rate, [99 * Frame10 + 90, 159 * Frame10 + 100, 239 * Frame10]), f => f is 100 or 101 or 160 or 240 or 241));
        return list;
    }

    private static G722AppendixIVScenario Make(string name, int frame, short[] pcm, Func<int, bool> lost)
    {
        int frames = pcm.Length / frame;
        var pcmWhole = pcm.AsSpan(0, frames * frame).ToArray();
        var mask = new bool[frames];
        for (int f = 0; f < frames; f++) mask[f] = lost(f);
        return new G722AppendixIVScenario(name, frame, pcmWhole, mask);
    }

    /// <summary>Each frame lost with probability <paramref name="perMille"/>/1000 (32-bit LCG seeded with <paramref name="seed"/>).</summary>
    private static Func<int, bool> Random(uint seed, int perMille)
    {
        var cache = new List<bool>();
        uint x = seed;
        return f =>
        {
            while (cache.Count <= f)
            {
                x = (x * 1103515245u) + 12345u;
                cache.Add((int)((x >> 16) % 1000) < perMille);
            }

            return cache[f];
        };
    }

    /// <summary>Integer-only test audio at 16 kHz.</summary>
    internal static class Signal
    {
        /// <summary>One period of a sine in 4096 steps, Q15, from the recurrence s(n+1) = 2·cos(2π/4096)·s(n) − s(n−1) in Q30.</summary>
        private static readonly short[] Sine = BuildSine();

        private static short[] BuildSine()
        {
            const long Cos = 1073740561; // cos(2π/4096)·2^30
            const long Sin = 1647099;    // sin(2π/4096)·2^30
            var t = new short[4096];
            long a = 0, b = Sin;
            for (int n = 0; n < t.Length; n++)
            {
                t[n] = (short)Math.Clamp((a + (1 << 14)) >> 15, -32767, 32767);
                long next = ((2 * Cos * b) >> 30) - a;
                a = b;
                b = next;
            }

            return t;
        }

        /// <summary>The Q15 sine of a 32-bit phase (2^32 = one period).</summary>
        internal static int Sin(uint phase) => Sine[phase >> 20];

        /// <summary>Phase increment per 16 kHz sample for a frequency in milli-hertz.</summary>
        internal static uint Increment(long milliHz) => (uint)((milliHz << 32) / (Rate * 1000L));

        internal sealed class Lcg(uint seed)
        {
            private uint _x = seed;

            public int Next(int range) // 0…range-1
            {
                _x = (_x * 1664525u) + 1013904223u;
                return (int)((ulong)(_x >> 8) * (uint)range >> 24);
            }

            public int Noise() => Next(65536) - 32768;
        }

        private enum Kind
        {
            Silence,
            Vowel,
            Fricative,
            Click,
        }

        /// <summary>Segments of 60–400 ms chosen by an LCG: vowels (harmonics of a gliding 95–230 Hz pitch through three
        /// formants, at quiet to loud levels), fricatives (high-passed noise), silence and short clicks; 5 ms ramps between.</summary>
        public static short[] Speechlike(int samples, uint seed)
        {
            var rng = new Lcg(seed);
            var pcm = new short[samples];
            int pos = 0;
            uint phase = 0;
            int prevNoise = 0;
            while (pos < samples)
            {
                int r = rng.Next(100);
                var kind = r < 55 ? Kind.Vowel : r < 75 ? Kind.Fricative : r < 93 ? Kind.Silence : Kind.Click;
                int length = Math.Min(samples - pos, (60 + rng.Next(341)) * 16);
                int level = kind switch
                {
                    Kind.Vowel => 2000 + rng.Next(rng.Next(4) == 0 ? 26000 : 12000),
                    Kind.Fricative => 500 + rng.Next(5000),
                    Kind.Click => 12000 + rng.Next(18000),
                    _ => 0,
                };
                int f0Start = 95_000 + (rng.Next(136) * 1000), f0End = 95_000 + (rng.Next(136) * 1000);
                int formantShift = rng.Next(300);
                for (int i = 0; i < length; i++, pos++)
                {
                    int ramp = Math.Min(Math.Min(i, length - 1 - i), 80); // 5 ms ramps
                    int v;
                    switch (kind)
                    {
                        case Kind.Vowel:
                        {
                            long f0 = f0Start + ((long)(f0End - f0Start) * i / length);
                            phase += Increment(f0);
                            v = Harmonics(phase, (int)(f0 / 1000), formantShift);
                            break;
                        }

                        case Kind.Fricative:
                        {
                            int n = rng.Noise();
                            v = (n - prevNoise) / 2; // first difference: a high-passed hiss
                            prevNoise = n;
                            break;
                        }

                        case Kind.Click:
                            v = i < 64 ? rng.Noise() * (64 - i) / 64 : 0;
                            break;

                        default:
                            v = 0;
                            break;
                    }

                    long s = (long)v * level / 32768 * ramp / 80;
                    pcm[pos] = (short)Math.Clamp(s, -32767, 32767);
                }
            }

            return pcm;
        }

        /// <summary>Harmonics of f0 up to 7 kHz, weighted 1/k and by formants near 700, 1200 and 2600 Hz (+ a shift), peak about 32767.</summary>
        private static int Harmonics(uint phase, int f0, int formantShift)
        {
            long sum = 0, weights = 0;
            for (int k = 1; k * f0 < 7000; k++)
            {
                int f = k * f0;
                int w = (1000 / k) + Formant(f, 700 + formantShift, 90, 3000) + Formant(f, 1200 + formantShift, 120, 1800)
                    + Formant(f, 2600 + formantShift, 180, 900);
                sum += (long)w * Sin(phase * (uint)k);
                weights += w;
            }

            return (int)(sum * 2 / weights); // harmonics rarely align: twice the mean weight is near the peak
        }

        private static int Formant(int f, int centre, int bandwidth, int gain)
        {
            long d = f - centre;
            return (int)(gain * (long)bandwidth * bandwidth / (((long)bandwidth * bandwidth) + (d * d)));
        }

        /// <summary>A steady vowel with loud transients (20 ms decaying noise bursts near full scale) at <paramref name="at"/>.</summary>
        public static short[] Transients(int samples, int[] at)
        {
            var pcm = Speechlike(samples, 31);
            var rng = new Lcg(77);
            foreach (int start in at)
            {
                for (int i = 0; i < 320 && start + i < samples; i++)
                {
                    long v = pcm[start + i] + ((long)rng.Noise() * (320 - i) / 320);
                    pcm[start + i] = (short)Math.Clamp(v, -32767, 32767);
                }
            }

            return pcm;
        }

        /// <summary>A loud passage: vowels close to full scale (clipping here and there) and loud noise.</summary>
        public static short[] Loud(int samples)
        {
            var pcm = Speechlike(samples, 41);
            for (int i = 0; i < pcm.Length; i++) pcm[i] = (short)Math.Clamp(pcm[i] * 3, -32767, 32767);
            return pcm;
        }
    }
}
