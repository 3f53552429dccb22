using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Codecs.G711;

/// <summary>
/// ITU-T G.711 companding by lookup, bit-exact with the G.191 reference (<c>ulaw_compress</c>,
/// <c>alaw_compress</c>, <c>ulaw_expand</c>, <c>alaw_expand</c>).
/// <code>
///   μ-law encode:  x (16 bit) ──&gt;&gt;2──► 14-bit index ──► MuLawEncodeTable[16384] ──► code
///   A-law encode:  x (16 bit) ──&gt;&gt;4──► 12-bit index ──► ALawEncodeTable[4096]   ──► code
///   decode:        code ──► DecodeTable[256] ──► x (16 bit, left-justified)
/// </code>
/// G.711 quantises the 14 (μ) or 13 (A) most significant bits; negative samples are taken in one's
/// complement (<c>~x</c>), as G.191 does, so -1 encodes like 0. The one's complement commutes with the
/// arithmetic shift (<c>~x &gt;&gt; k == ~(x &gt;&gt; k)</c>), which is why a table indexed by the top bits is exact.
/// The tables are computed once at start-up from the segment formulas below.
/// </summary>
internal static class G711Tables
{
    /// <summary>μ-law code for each 14-bit two's complement value (index = <c>(ushort)x &gt;&gt; 2</c>).</summary>
    internal static readonly byte[] MuLawEncodeTable = BuildMuLawEncode();

    /// <summary>A-law code for each 12-bit two's complement value (index = <c>(ushort)x &gt;&gt; 4</c>).</summary>
    internal static readonly byte[] ALawEncodeTable = BuildALawEncode();

    internal static readonly short[] MuLawDecodeTable = BuildDecode(MuLawToLinearSlow);

    internal static readonly short[] ALawDecodeTable = BuildDecode(ALawToLinearSlow);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte LinearToMuLaw(short x) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(MuLawEncodeTable), (ushort)x >> 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte LinearToALaw(short x) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ALawEncodeTable), (ushort)x >> 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static short MuLawToLinear(byte code) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(MuLawDecodeTable), code);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static short ALawToLinear(byte code) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ALawDecodeTable), code);

    /// <summary>Encodes all of <paramref name="pcm"/>; <paramref name="codes"/> must be at least as long (checked by the caller).</summary>
    internal static void EncodeMuLaw(ReadOnlySpan<short> pcm, Span<byte> codes) => Encode(pcm, codes, MuLawEncodeTable, 2);

    internal static void EncodeALaw(ReadOnlySpan<short> pcm, Span<byte> codes) => Encode(pcm, codes, ALawEncodeTable, 4);

    /// <summary>Decodes all of <paramref name="codes"/>; <paramref name="pcm"/> must be at least as long (checked by the caller).</summary>
    internal static void DecodeMuLaw(ReadOnlySpan<byte> codes, Span<short> pcm) => Decode(codes, pcm, MuLawDecodeTable);

    internal static void DecodeALaw(ReadOnlySpan<byte> codes, Span<short> pcm) => Decode(codes, pcm, ALawDecodeTable);

    // Table walks without bounds checks: the index is at most 16 bits shifted right by `shift`,
    // which fits the 2^(16-shift)-entry table, and the spans' lengths were checked by the caller.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Encode(ReadOnlySpan<short> pcm, Span<byte> codes, byte[] table, int shift)
    {
        if (codes.Length < pcm.Length) throw new ArgumentException("The code buffer is shorter than the PCM input.", nameof(codes));
        ref short src = ref MemoryMarshal.GetReference(pcm);
        ref byte dst = ref MemoryMarshal.GetReference(codes);
        ref byte t = ref MemoryMarshal.GetArrayDataReference(table);
        nint n = pcm.Length;
        for (nint i = 0; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = Unsafe.Add(ref t, (nint)((ushort)Unsafe.Add(ref src, i) >> shift));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode(ReadOnlySpan<byte> codes, Span<short> pcm, short[] table)
    {
        if (pcm.Length < codes.Length) throw new ArgumentException("The PCM buffer is shorter than the codes.", nameof(pcm));
        ref byte src = ref MemoryMarshal.GetReference(codes);
        ref short dst = ref MemoryMarshal.GetReference(pcm);
        ref short t = ref MemoryMarshal.GetArrayDataReference(table);
        nint n = codes.Length;
        for (nint i = 0; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = Unsafe.Add(ref t, (nint)Unsafe.Add(ref src, i));
        }
    }

    /// <summary>μ-law by formula. <paramref name="v14"/> is the sample's top 14 bits, signed.</summary>
    internal static byte MuLawFromTopBits(int v14)
    {
        // Magnitude in one's complement, biased by 33 so that the segment is given by the top set bit.
        int mag = (v14 < 0 ? ~v14 : v14) + 33;
        if (mag > 0x1FFF) mag = 0x1FFF;

        // mag >= 33, so its top bit is 5 (segment 0) … 12 (segment 7).
        int segment = BitOperations.Log2((uint)mag) - 5;
        int mantissa = (mag >> (segment + 1)) & 0xF;
        int code = 0x7F ^ ((segment << 4) | mantissa);
        return (byte)(v14 >= 0 ? code | 0x80 : code);
    }

    /// <summary>A-law by formula. <paramref name="v12"/> is the sample's top 12 bits, signed.</summary>
    internal static byte ALawFromTopBits(int v12)
    {
        int mag = v12 < 0 ? ~v12 : v12; // 0 … 2047
        int code;
        if (mag < 32)
        {
            // Segments 0 and 1 share a step: the 7-bit code is the magnitude itself.
            code = mag;
        }
        else
        {
            int segment = BitOperations.Log2((uint)mag) - 3; // 2 … 7
            code = (segment << 4) | ((mag >> (segment - 1)) & 0xF);
        }

        if (v12 >= 0) code |= 0x80;
        return (byte)(code ^ 0x55);
    }

    /// <summary>μ-law reconstruction level (16-bit scale) by formula.</summary>
    internal static short MuLawToLinearSlow(byte code)
    {
        int c = ~code & 0xFF;
        int segment = (c >> 4) & 7;
        int mantissa = c & 0xF;
        int mag = (((mantissa << 3) + 0x84) << segment) - 0x84;
        return (short)((code & 0x80) != 0 ? mag : -mag);
    }

    /// <summary>A-law reconstruction level (16-bit scale) by formula.</summary>
    internal static short ALawToLinearSlow(byte code)
    {
        int c = code ^ 0x55;
        int segment = (c >> 4) & 7;
        int mantissa = c & 0xF;
        int mag = segment == 0
            ? (mantissa << 4) + 8
            : ((mantissa << 4) + 0x108) << (segment - 1);
        return (short)((code & 0x80) != 0 ? mag : -mag);
    }

    private static byte[] BuildMuLawEncode()
    {
        var t = new byte[1 << 14];
        for (int i = 0; i < t.Length; i++)
        {
            int v14 = i >= 1 << 13 ? i - (1 << 14) : i; // sign-extend the 14-bit index
            t[i] = MuLawFromTopBits(v14);
        }

        return t;
    }

    private static byte[] BuildALawEncode()
    {
        var t = new byte[1 << 12];
        for (int i = 0; i < t.Length; i++)
        {
            int v12 = i >= 1 << 11 ? i - (1 << 12) : i;
            t[i] = ALawFromTopBits(v12);
        }

        return t;
    }

    private static short[] BuildDecode(Func<byte, short> expand)
    {
        var t = new short[256];
        for (int i = 0; i < 256; i++) t[i] = expand((byte)i);
        return t;
    }
}
