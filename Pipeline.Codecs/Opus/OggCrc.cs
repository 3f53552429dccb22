namespace Pipeline.Codecs.Opus;

/// <summary>The Ogg page checksum (RFC 3533 §6): CRC-32 with polynomial 0x04C11DB7, initial value 0, no bit
/// reflection and no final XOR, over the whole page with its checksum field set to zero.</summary>
internal static class OggCrc
{
    private static readonly uint[] Table = BuildTable();

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = (crc << 8) ^ Table[(byte)(crc >> 24) ^ b];
        return crc;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int k = 0; k < 8; k++) r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            t[i] = r;
        }

        return t;
    }
}
