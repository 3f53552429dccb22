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

    /// <summary>True when <paramref name="packet"/> carries in-band FEC (LBRR data, RFC 6716 §4.2.4) for the frame before
    /// it: a SILK-only or hybrid packet whose first Opus frame has the LBRR flag set (either channel when stereo).
    /// The SILK header bits (one VAD flag per 20 ms SILK frame, then the LBRR flag, per channel) are coded with
    /// probability one half at the very start of the range coder, so they are the first byte's top bits.</summary>
    public static bool HasLbrr(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 2) return false;
        byte toc = packet[0];
        if ((toc & 0x80) != 0) return false; // CELT only: no SILK layer, no LBRR
        int offset = FirstFrameOffset(packet);
        if (offset < 0 || offset >= packet.Length) return false;
        int frame48 = SamplesPerFrame(toc, 48000);
        int silkFrames = frame48 > 960 ? frame48 / 960 : 1; // a 40 or 60 ms SILK frame is 2 or 3 SILK frames of 20 ms
        byte b = packet[offset];
        bool lbrr = ((b >> (7 - silkFrames)) & 1) != 0;
        if ((toc & 0x04) != 0) lbrr |= ((b >> (6 - (2 * silkFrames))) & 1) != 0; // stereo: the side channel's flag
        return lbrr;
    }

    /// <summary>Where the first frame's data starts (RFC 6716 §3.2); -1 when the packet is malformed or that frame is empty.</summary>
    private static int FirstFrameOffset(ReadOnlySpan<byte> packet)
    {
        switch (packet[0] & 3)
        {
            case 0:
            case 1:
                return 1;
            case 2:
            {
                int size = FrameLength(packet, 1, out int used);
                return size > 0 ? 1 + used : -1;
            }

            default:
            {
                byte count = packet[1];
                int frames = count & 0x3F;
                if (frames == 0) return -1;
                int at = 2;
                if ((count & 0x40) != 0)
                {
                    // Padding length: bytes of 255 say "254 more and go on", the last one its own value.
                    while (at < packet.Length && packet[at++] == 255)
                    {
                    }
                }

                if ((count & 0x80) == 0) return at; // CBR: frames follow
                int first = -1;
                for (int i = 0; i < frames - 1; i++)
                {
                    if (at >= packet.Length) return -1;
                    int size = FrameLength(packet, at, out int used);
                    if (size < 0) return -1;
                    if (i == 0) first = size;
                    at += used;
                }

                return frames == 1 || first > 0 ? at : -1;
            }
        }
    }

    /// <summary>A frame length field (one byte below 252, else two: second × 4 + first); -1 when cut short.</summary>
    private static int FrameLength(ReadOnlySpan<byte> packet, int at, out int used)
    {
        used = 0;
        if (at >= packet.Length) return -1;
        if (packet[at] < 252)
        {
            used = 1;
            return packet[at];
        }

        if (at + 1 >= packet.Length) return -1;
        used = 2;
        return (packet[at + 1] * 4) + packet[at];
    }
}
