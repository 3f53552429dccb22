namespace Pipeline.Codecs.Opus;

/// <summary>Reads an Opus packet's table-of-contents byte (RFC 6716 §3.1) without a library.</summary>
internal static class OpusPacket
{
    /// <summary>Samples per channel in one frame of <paramref name="packet"/> at <paramref name="rate"/> Hz (2.5 to 60 ms).</summary>
    public static int SamplesPerFrame(byte toc, int rate)
    {
        if ((toc & 0x80) != 0)
        {
            // CELT only: configs 16..31, 2.5/5/10/20 ms.
            return (rate << ((toc >> 3) & 3)) / 400;
        }

        if ((toc & 0x60) == 0x60)
        {
            // Hybrid: configs 12..15, 10/20 ms.
            return (toc & 0x08) != 0 ? rate / 50 : rate / 100;
        }

        // SILK only: configs 0..11, 10/20/40/60 ms.
        int size = (toc >> 3) & 3;
        return size == 3 ? rate * 60 / 1000 : (rate << size) / 100;
    }

    /// <summary>Frames in <paramref name="packet"/> (code 0: one, codes 1 and 2: two, code 3: the count byte); -1 when malformed.</summary>
    public static int FrameCount(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) return -1;
        return (packet[0] & 3) switch
        {
            0 => 1,
            3 => packet.Length < 2 ? -1 : packet[1] & 0x3F,
            _ => 2,
        };
    }

    /// <summary>Samples per channel of the whole packet at <paramref name="rate"/>; 0 when it is malformed or longer than 120 ms.</summary>
    public static int SampleCount(ReadOnlySpan<byte> packet, int rate)
    {
        int frames = FrameCount(packet);
        if (frames <= 0) return 0;
        int samples = frames * SamplesPerFrame(packet[0], rate);
        return samples * 25 > rate * 3 ? 0 : samples;
    }
}
