namespace Pipeline.Codecs.Tests;

/// <summary>
/// A straightforward, table-free G.711 written from the ITU-T G.191 reference loops
/// (ulaw_compress / alaw_compress / ulaw_expand / alaw_expand), independent of the library's tables.
/// </summary>
internal static class G191Reference
{
    public static byte UlawCompress(short x)
    {
        int absno = x < 0 ? ((~x) >> 2) + 33 : (x >> 2) + 33;
        if (absno > 0x1FFF) absno = 0x1FFF;
        int i = absno >> 6;
        int segno = 1;
        while (i != 0)
        {
            segno++;
            i >>= 1;
        }

        int highNibble = 0x8 - segno;
        int lowNibble = 0xF - ((absno >> segno) & 0xF);
        int code = (highNibble << 4) | lowNibble;
        if (x >= 0) code |= 0x80;
        return (byte)code;
    }

    public static byte AlawCompress(short x)
    {
        int ix = x < 0 ? (~x) >> 4 : x >> 4;
        if (ix > 15)
        {
            int iexp = 1;
            while (ix > 16 + 15)
            {
                ix >>= 1;
                iexp++;
            }

            ix -= 16;
            ix += iexp << 4;
        }

        if (x >= 0) ix |= 0x80;
        return (byte)(ix ^ 0x55);
    }

    public static short UlawExpand(byte code)
    {
        int sign = code < 0x80 ? -1 : 1;
        int mantissa = ~code;
        int exponent = (mantissa >> 4) & 0x7;
        int segment = exponent + 1;
        mantissa &= 0xF;
        int step = 4 << segment;
        return (short)(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    public static short AlawExpand(byte code)
    {
        int ix = (code ^ 0x55) & 0x7F;
        int iexp = ix >> 4;
        int mant = ix & 0xF;
        if (iexp > 0) mant += 16;
        mant = (mant << 4) + 0x8;
        if (iexp > 1) mant <<= iexp - 1;
        return (short)(code > 127 ? mant : -mant);
    }
}
