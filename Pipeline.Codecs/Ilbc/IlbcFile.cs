using System.Text;

namespace Pipeline.Codecs.Ilbc;

/// <summary>
/// The iLBC storage format of RFC 3952 §5: the magic line <c>#!iLBC20\n</c> or <c>#!iLBC30\n</c>, then the frames
/// back to back (38 or 50 bytes each, no other framing). Files conventionally end in <c>.lbc</c>.
/// </summary>
public static class IlbcFile
{
    /// <summary>The longest header (<c>#!iLBC30\n</c>, 9 bytes).</summary>
    public const int MaxHeaderLength = 9;

    /// <summary>The header line for <paramref name="mode"/>, as bytes.</summary>
    public static ReadOnlySpan<byte> Header(IlbcMode mode) => mode switch
    {
        IlbcMode.Ms20 => "#!iLBC20\n"u8,
        IlbcMode.Ms30 => "#!iLBC30\n"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"iLBC has a 20 ms and a 30 ms mode; {(int)mode} is neither."),
    };

    /// <summary>Bytes per frame of <paramref name="mode"/>: 38 (20 ms) or 50 (30 ms).</summary>
    public static int FrameLength(IlbcMode mode)
    {
        IlbcCodec.Validate(mode, nameof(mode));
        return IlbcCodec.BytesPerFrame(mode);
    }

    /// <summary>Writes the header line for <paramref name="mode"/>.</summary>
    public static void WriteHeader(Stream stream, IlbcMode mode)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Header(mode));
    }

    /// <summary>Reads and checks the header line; the stream is left at the first frame.</summary>
    /// <exception cref="InvalidDataException">The stream does not start with <c>#!iLBC20\n</c> or <c>#!iLBC30\n</c>.</exception>
    public static IlbcMode ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> h = stackalloc byte[MaxHeaderLength];
        int n = 0;
        while (n < h.Length)
        {
            int r = stream.Read(h[n..]);
            if (r == 0) break;
            n += r;
        }

        if (n == h.Length && h.SequenceEqual(Header(IlbcMode.Ms20))) return IlbcMode.Ms20;
        if (n == h.Length && h.SequenceEqual(Header(IlbcMode.Ms30))) return IlbcMode.Ms30;
        throw new InvalidDataException($"Not an iLBC storage file (RFC 3952): it starts with \"{Escape(h[..n])}\" instead of \"#!iLBC20\\n\" or \"#!iLBC30\\n\".");
    }

    /// <summary>Reads the next whole frame into <paramref name="frame"/> (at least <see cref="FrameLength"/> bytes).</summary>
    /// <returns>False at the end of the stream (a partial last frame is ignored).</returns>
    public static bool ReadFrame(Stream stream, IlbcMode mode, Span<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int length = FrameLength(mode);
        if (frame.Length < length) throw new ArgumentException($"An iLBC {(int)mode} ms frame is {length} bytes; room for {frame.Length}.", nameof(frame));
        int n = 0;
        while (n < length)
        {
            int r = stream.Read(frame[n..length]);
            if (r == 0) return false;
            n += r;
        }

        return true;
    }

    private static string Escape(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder();
        foreach (var c in b) sb.Append(c is >= 0x20 and < 0x7F ? (char)c : c == '\n' ? "\\n" : $"\\x{c:X2}");
        return sb.ToString();
    }
}
