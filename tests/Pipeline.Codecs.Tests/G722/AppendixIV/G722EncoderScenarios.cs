using Pipeline.Codecs.G722;
using Signal = Pipeline.Codecs.Tests.G722.AppendixIV.G722AppendixIVScenarios.Signal;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>One encoder scenario: 16 kHz audio that <see cref="G722Encoder"/> and the ITU-T reference encoder both encode.</summary>
/// <param name="Name">File-name friendly name.</param>
/// <param name="Pcm">The audio, a whole number of <see cref="G722EncoderScenarios.FrameSamples"/> frames.</param>
internal sealed record G722EncoderScenario(string Name, short[] Pcm)
{
    public int FrameSamples => G722EncoderScenarios.FrameSamples;

    public int Frames => Pcm.Length / FrameSamples;

    /// <summary>The audio as 16-bit little-endian bytes (what the reference encoder reads).</summary>
    public byte[] PcmBytes()
    {
        var bytes = new byte[Pcm.Length * 2];
        for (int i = 0; i < Pcm.Length; i++)
        {
            bytes[2 * i] = (byte)Pcm[i];
            bytes[(2 * i) + 1] = (byte)(Pcm[i] >> 8);
        }

        return bytes;
    }

    /// <summary>Our encoding of <see cref="Pcm"/>: one byte per sample pair.</summary>
    public byte[] Encode()
    {
        var coded = new byte[Pcm.Length / 2];
        new G722Encoder().Encode(Pcm, coded);
        return coded;
    }

    public override string ToString() => Name;
}

/// <summary>
/// The deterministic inputs of the encoder bit-exactness tests, loud ones above all: the ITU-T reference encoder limits the
/// QMF analysis outputs to 15 bits, which ffmpeg's (and spandsp's) encoder does not, so only the ITU-T reference can be
/// the oracle there. Integer arithmetic only, like <see cref="G722AppendixIVScenarios"/>;
/// <c>tools/g722-appendix-iv/regenerate.sh</c> dumps them for the reference encoder.
/// </summary>
internal static class G722EncoderScenarios
{
    /// <summary>Checksums are kept per 20 ms frame: 320 samples in, 160 bytes out.</summary>
    public const int FrameSamples = 320;

    private const int Rate = 16000;

    public static IReadOnlyList<G722EncoderScenario> All { get; } =
    [
        new("square", Square(Rate, 300_000, 32440)),
        new("noise", WhiteNoise(2 * Rate, 7221)),
        new("clipped-sweep", ClippedSweep(2 * Rate)),
        new("crescendo", Crescendo(2 * Rate)),
        new("normal", Signal.Speechlike(2 * Rate, 51)),
    ];

    public static G722EncoderScenario Get(string name)
    {
        foreach (var s in All)
        {
            if (s.Name == name) return s;
        }

        throw new ArgumentOutOfRangeException(nameof(name), name, "No such encoder scenario.");
    }

    /// <summary>A square wave of ±<paramref name="amplitude"/> (the sign of an integer phase accumulator).</summary>
    private static short[] Square(int samples, long milliHz, short amplitude)
    {
        var pcm = new short[samples];
        uint phase = 0, step = Signal.Increment(milliHz);
        for (int i = 0; i < samples; i++, phase += step) pcm[i] = phase < 0x8000_0000u ? amplitude : (short)-amplitude;
        return pcm;
    }

    /// <summary>Uniform white noise over the full range ±32767 (32-bit LCG).</summary>
    private static short[] WhiteNoise(int samples, uint seed)
    {
        var rng = new Signal.Lcg(seed);
        var pcm = new short[samples];
        for (int i = 0; i < samples; i++) pcm[i] = (short)Math.Max(rng.Noise(), -32767);
        return pcm;
    }

    /// <summary>A steady 1 kHz tone plus a sweep from 50 Hz to 7.9 kHz, each at full scale, so the sum clips at ±32767
    /// most of the time.</summary>
    private static short[] ClippedSweep(int samples)
    {
        var pcm = new short[samples];
        uint tone = 0, sweep = 0, toneStep = Signal.Increment(1_000_000);
        for (int i = 0; i < samples; i++)
        {
            int v = Signal.Sin(tone) + Signal.Sin(sweep);
            pcm[i] = (short)Math.Clamp(v, -32767, 32767);
            tone += toneStep;
            sweep += Signal.Increment(50_000 + (7_850_000L * i / samples));
        }

        return pcm;
    }

    /// <summary>Two tones (440 Hz and 3.1 kHz) with a little noise, growing from near silence (gain ∝ t²) to twice full
    /// scale, clipped: the passage from quiet to overload.</summary>
    private static short[] Crescendo(int samples)
    {
        var rng = new Signal.Lcg(4242);
        var pcm = new short[samples];
        uint a = 0, b = 0, stepA = Signal.Increment(440_000), stepB = Signal.Increment(3_100_000);
        for (int i = 0; i < samples; i++, a += stepA, b += stepB)
        {
            long v = ((long)Signal.Sin(a) * 5 / 8) + ((long)Signal.Sin(b) * 5 / 16) + (rng.Noise() / 16);
            long gain = (long)i * i * 8192 / ((long)samples * samples); // Q12: 0 … 2.0
            pcm[i] = (short)Math.Clamp(v * gain / 4096, -32767, 32767);
        }

        return pcm;
    }
}
