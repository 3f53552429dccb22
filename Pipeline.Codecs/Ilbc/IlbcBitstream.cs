namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// The parameters of one iLBC frame and their bit layout (RFC 3951 §3.10 and Table 3.2): the parameters are
/// split into three classes of bits sent in order of importance, so a parameter's bits are scattered over the
/// frame. One table per mode lists each run of bits as (parameter, bit count, position of its lowest bit inside
/// the parameter); packing and unpacking both walk the same table, so they are exact inverses.
/// </summary>
internal static class IlbcBitstream
{
    // Offsets of the parameters in the flat parameter array.
    internal const int Lsf = 0;        // 6 LSF split indices (3 in 20 ms mode)
    internal const int Cb = 6;         // 15 codebook indices (3 stages per coded block)
    internal const int Gain = 21;      // 15 gain indices
    internal const int Idx = 36;       // 58 start-state sample indices (57 in 20 ms mode)
    internal const int Start = 94;     // start sub-frame block (1-based)
    internal const int StateFirst = 95;
    internal const int Ifm = 96;       // start-state scale index
    internal const int Empty = 97;     // the "empty frame" flag, the last bit of the frame
    internal const int Count = 98;

    private static readonly short[] Layout20 = Build(20);
    private static readonly short[] Layout30 = Build(30);

    /// <summary>Reads the parameters of one frame from <paramref name="frame"/> (38 or 50 bytes).</summary>
    internal static void Unpack(ReadOnlySpan<byte> frame, IlbcMode mode, Span<int> p)
    {
        p[..Count].Clear();
        var layout = mode == IlbcMode.Ms20 ? Layout20 : Layout30;
        int bit = 0;
        for (int i = 0; i < layout.Length; i += 3)
        {
            int n = layout[i + 1];
            int v = 0;
            for (int b = 0; b < n; b++, bit++)
            {
                v = (v << 1) | ((frame[bit >> 3] >> (7 - (bit & 7))) & 1);
            }

            p[layout[i]] |= v << layout[i + 2];
        }
    }

    /// <summary>Writes the parameters into <paramref name="frame"/> (38 or 50 bytes).</summary>
    internal static void Pack(ReadOnlySpan<int> p, IlbcMode mode, Span<byte> frame)
    {
        var layout = mode == IlbcMode.Ms20 ? Layout20 : Layout30;
        frame[..IlbcCodec.BytesPerFrame(mode)].Clear();
        int bit = 0;
        for (int i = 0; i < layout.Length; i += 3)
        {
            int n = layout[i + 1];
            int v = (p[layout[i]] >> layout[i + 2]) & ((1 << n) - 1);
            for (int b = n - 1; b >= 0; b--, bit++)
            {
                if (((v >> b) & 1) != 0) frame[bit >> 3] |= (byte)(0x80 >> (bit & 7));
            }
        }
    }

    private static short[] Build(int ms)
    {
        var t = new List<short>(600);
        void Add(int param, int bits, int shift)
        {
            t.Add((short)param);
            t.Add((short)bits);
            t.Add((short)shift);
        }

        // Class 1.
        Add(Lsf, 6, 0);
        Add(Lsf + 1, 7, 0);
        Add(Lsf + 2, 7, 0);
        if (ms == 20)
        {
            Add(Start, 2, 0);
            Add(StateFirst, 1, 0);
            Add(Ifm, 6, 0);
            Add(Cb, 6, 1);
            Add(Gain, 2, 3);
            Add(Gain + 1, 1, 3);
            Add(Cb + 3, 7, 1);
            Add(Gain + 3, 1, 4);
            Add(Gain + 4, 1, 3);
            Add(Gain + 6, 1, 4);
        }
        else
        {
            Add(Lsf + 3, 6, 0);
            Add(Lsf + 4, 7, 0);
            Add(Lsf + 5, 7, 0);
            Add(Start, 3, 0);
            Add(StateFirst, 1, 0);
            Add(Ifm, 6, 0);
            Add(Cb, 4, 3);
            Add(Gain, 1, 4);
            Add(Gain + 1, 1, 3);
            Add(Cb + 3, 6, 2);
            Add(Gain + 3, 1, 4);
            Add(Gain + 4, 1, 3);
        }

        // Class 2.
        int stateLength = ms == 20 ? 57 : 58;
        for (int j = 0; j < stateLength; j++) Add(Idx + j, 1, 2);
        if (ms == 20)
        {
            Add(Gain + 1, 1, 2);
            Add(Gain + 3, 2, 2);
            Add(Gain + 4, 1, 2);
            Add(Gain + 6, 1, 3);
            Add(Gain + 7, 2, 2);
        }
        else
        {
            Add(Cb, 2, 1);
            Add(Gain, 1, 3);
            Add(Gain + 1, 1, 2);
            Add(Cb + 3, 1, 1);
            Add(Cb + 6, 1, 7);
            Add(Cb + 6, 6, 1);
            Add(Cb + 9, 7, 1);
            Add(Cb + 12, 3, 5);
            Add(Cb + 12, 4, 1);
            Add(Gain + 3, 2, 2);
            Add(Gain + 4, 2, 1);
            Add(Gain + 6, 2, 3);
            Add(Gain + 7, 2, 2);
            Add(Gain + 9, 1, 4);
            Add(Gain + 10, 1, 3);
            Add(Gain + 12, 1, 4);
            Add(Gain + 13, 1, 3);
        }

        // Class 3.
        for (int j = 0; j < stateLength; j++) Add(Idx + j, 2, 0);
        if (ms == 20)
        {
            Add(Cb, 1, 0);
            Add(Cb + 1, 7, 0);
            Add(Cb + 2, 6, 1);
            Add(Cb + 2, 1, 0);
            Add(Gain, 3, 0);
            Add(Gain + 1, 2, 0);
            Add(Gain + 2, 3, 0);
            Add(Cb + 3, 1, 0);
            Add(Cb + 4, 6, 1);
            Add(Cb + 4, 1, 0);
            Add(Cb + 5, 7, 0);
            Add(Cb + 6, 8, 0);
            Add(Cb + 7, 8, 0);
            Add(Cb + 8, 8, 0);
            Add(Gain + 3, 2, 0);
            Add(Gain + 4, 2, 0);
            Add(Gain + 5, 3, 0);
            Add(Gain + 6, 3, 0);
            Add(Gain + 7, 2, 0);
            Add(Gain + 8, 3, 0);
        }
        else
        {
            Add(Cb, 1, 0);
            Add(Cb + 1, 7, 0);
            Add(Cb + 2, 4, 3);
            Add(Cb + 2, 3, 0);
            Add(Gain, 3, 0);
            Add(Gain + 1, 2, 0);
            Add(Gain + 2, 3, 0);
            Add(Cb + 3, 1, 0);
            Add(Cb + 4, 4, 3);
            Add(Cb + 4, 3, 0);
            Add(Cb + 5, 7, 0);
            Add(Cb + 6, 1, 0);
            Add(Cb + 7, 5, 3);
            Add(Cb + 7, 3, 0);
            Add(Cb + 8, 8, 0);
            Add(Cb + 9, 1, 0);
            Add(Cb + 10, 4, 4);
            Add(Cb + 10, 4, 0);
            Add(Cb + 11, 8, 0);
            Add(Cb + 12, 1, 0);
            Add(Cb + 13, 3, 5);
            Add(Cb + 13, 5, 0);
            Add(Cb + 14, 8, 0);
            Add(Gain + 3, 2, 0);
            Add(Gain + 4, 1, 0);
            Add(Gain + 5, 3, 0);
            Add(Gain + 6, 3, 0);
            Add(Gain + 7, 2, 0);
            Add(Gain + 8, 3, 0);
            Add(Gain + 9, 4, 0);
            Add(Gain + 10, 1, 2);
            Add(Gain + 10, 2, 0);
            Add(Gain + 11, 3, 0);
            Add(Gain + 12, 4, 0);
            Add(Gain + 13, 3, 0);
            Add(Gain + 14, 3, 0);
        }

        Add(Empty, 1, 0);

        int total = 0;
        for (int i = 1; i < t.Count; i += 3) total += t[i];
        if (total != (ms == 20 ? 304 : 400)) throw new InvalidOperationException($"iLBC {ms} ms bit layout has {total} bits.");
        return [.. t];
    }

    /// <summary>The sent value of the second and third stage index of the first 40-sample block (they have 7 bits
    /// for a codebook of 256 vectors, of which only three ranges may be used) to the codebook index.</summary>
    internal static int IndexFromWire(int sent) => sent switch
    {
        >= 44 and < 108 => sent + 64,
        >= 108 and < 128 => sent + 128,
        _ => sent,
    };

    /// <summary>The inverse of <see cref="IndexFromWire"/>; -1 for an index that cannot be sent.</summary>
    internal static int IndexToWire(int index) => index switch
    {
        < 44 => index,
        >= 108 and < 172 => index - 64,
        >= 236 and < 256 => index - 128,
        _ => -1,
    };
}
