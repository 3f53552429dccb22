namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Minimal G.711 µ-law/A-law conversions for test WAV files (ITU-T G.711 segment tables).
/// Local to the harness on purpose: the harness must not depend on the codec under test.
/// </summary>
internal static class TestG711
{
    private const int MuBias = 0x84;
    private const int MuClip = 32635;

    public static byte LinearToMuLaw(short sample)
    {
        int s = sample;
        var sign = 0;
        if (s < 0)
        {
            sign = 0x80;
            s = -s;
        }

        s = Math.Min(s, MuClip) + MuBias;
        var exponent = 7;
        for (var mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    public static short MuLawToLinear(byte code)
    {
        var u = ~code & 0xFF;
        var exponent = (u >> 4) & 7;
        var mantissa = u & 0x0F;
        var s = (((mantissa << 3) + MuBias) << exponent) - MuBias;
        return (short)((u & 0x80) != 0 ? -s : s);
    }

    public static byte LinearToALaw(short sample)
    {
        int x = sample;
        var sign = 0x80; // A-law sets the sign bit for positive values
        if (x < 0)
        {
            sign = 0;
            x = Math.Min(-x, 32767);
        }

        int code;
        if (x < 256)
        {
            code = x >> 4;
        }
        else
        {
            var exponent = 1;
            while (exponent < 7 && x >= (256 << exponent))
            {
                exponent++;
            }

            code = (exponent << 4) | ((x >> (exponent + 3)) & 0x0F);
        }

        return (byte)((code | sign) ^ 0x55);
    }

    public static short ALawToLinear(byte code)
    {
        var a = code ^ 0x55;
        var exponent = (a >> 4) & 7;
        var mantissa = a & 0x0F;
        var x = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (short)((a & 0x80) != 0 ? x : -x);
    }
}
