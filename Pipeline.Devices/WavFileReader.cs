using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Reads a RIFF/WAVE file of 16-bit linear PCM (format tag 1, or WAVE_FORMAT_EXTENSIBLE with the PCM
/// sub-format), any sample rate, mono or stereo. Anything else is refused with a
/// <see cref="NotSupportedException"/> that names the format found; a damaged file gives an
/// <see cref="InvalidDataException"/>. A data chunk whose size is missing or too large (a writer that
/// never patched its header) is read to the end of the file.
/// </summary>
public sealed class WavFileReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _dataStart;
    private long _position; // samples per channel read so far

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public WavFileReader(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024), ownsStream: true, path)
    {
    }

    /// <summary>Reads a WAV from <paramref name="stream"/>, which must be seekable.</summary>
    public WavFileReader(Stream stream, bool ownsStream = false)
        : this(stream, ownsStream, "stream")
    {
    }

    private WavFileReader(Stream stream, bool ownsStream, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("A WAV reader needs a seekable stream.", nameof(stream));
        _stream = stream;
        _ownsStream = ownsStream;
        try
        {
            (Format, _dataStart, SampleCount) = ReadHeader(stream, what);
        }
        catch
        {
            if (ownsStream) stream.Dispose();
            throw;
        }
    }

    public WavFormat Format { get; }

    /// <summary>Samples per channel in the file.</summary>
    public long SampleCount { get; }

    /// <summary>Samples per channel read so far.</summary>
    public long Position => _position;

    public TimeSpan Duration => TimeSpan.FromTicks(SampleCount * TimeSpan.TicksPerSecond / Format.SampleRate.Hertz);

    /// <summary>Reads up to <c>buffer.Length / Channels</c> samples per channel (interleaved).</summary>
    /// <returns>Samples per channel read; 0 at the end.</returns>
    public int Read(Span<short> buffer)
    {
        int ch = Format.Channels;
        long wanted = Math.Min(buffer.Length / ch, SampleCount - _position);
        if (wanted <= 0) return 0;
        var bytes = MemoryMarshal.AsBytes(buffer[..(int)(wanted * ch)]);
        int got = 0;
        while (got < bytes.Length)
        {
            int n = _stream.Read(bytes[got..]);
            if (n == 0) break;
            got += n;
        }

        int samples = got / Format.BlockAlign;
        if (!BitConverter.IsLittleEndian)
        {
            var s = buffer[..(samples * ch)];
            for (int i = 0; i < s.Length; i++) s[i] = BinaryPrimitives.ReverseEndianness(s[i]);
        }

        _position += samples;
        return samples;
    }

    /// <summary>Reads the rest of the file into a new array (interleaved).</summary>
    public short[] ReadToEnd()
    {
        long remaining = (SampleCount - _position) * Format.Channels;
        if (remaining > Array.MaxLength) throw new InvalidOperationException($"The WAV data ({remaining} samples) is too large for one array.");
        var all = new short[remaining];
        int samples = Read(all);
        return samples * Format.Channels == all.Length ? all : all[..(samples * Format.Channels)];
    }

    /// <summary>Moves to sample <paramref name="samplePerChannel"/> (0 rewinds).</summary>
    public void Seek(long samplePerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplePerChannel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samplePerChannel, SampleCount);
        _stream.Position = _dataStart + samplePerChannel * Format.BlockAlign;
        _position = samplePerChannel;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }

    private static (WavFormat Format, long DataStart, long SampleCount) ReadHeader(Stream s, string what)
    {
        Span<byte> head = stackalloc byte[12];
        if (!TryReadExactly(s, head)) throw new InvalidDataException($"{what} is not a WAV file: shorter than a RIFF header.");
        string riff = FourCc(head[..4]);
        if (riff != "RIFF")
        {
            if (riff is "RF64" or "BW64") throw new NotSupportedException($"{what}: {riff} (64-bit WAV) is not supported; expected a RIFF/WAVE file of 16-bit PCM.");
            throw new InvalidDataException($"{what} is not a WAV file: it starts with '{riff}' rather than 'RIFF'.");
        }

        if (FourCc(head[8..12]) != "WAVE") throw new InvalidDataException($"{what} is a RIFF file of type '{FourCc(head[8..12])}', not WAVE.");

        WavFormat? format = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        while (TryReadExactly(s, chunk))
        {
            string id = FourCc(chunk[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (size < 16) throw new InvalidDataException($"{what}: the fmt chunk is {size} bytes, less than the 16 a WAV format needs.");
                int take = (int)Math.Min(size, (uint)fmt.Length);
                if (!TryReadExactly(s, fmt[..take])) throw new InvalidDataException($"{what}: the fmt chunk is cut short.");
                format = ParseFormat(fmt[..take], what);
                Skip(s, size - (uint)take + (size & 1));
            }
            else if (id == "data")
            {
                if (format is not WavFormat f) throw new InvalidDataException($"{what}: the data chunk comes before any fmt chunk.");
                long start = s.Position;
                long available = s.Length - start;
                long bytes = size == 0 || size == uint.MaxValue || size > available ? available : size;
                return (f, start, bytes / f.BlockAlign);
            }
            else
            {
                Skip(s, size + (size & 1));
            }
        }

        throw new InvalidDataException(format is null ? $"{what}: no fmt chunk found." : $"{what}: no data chunk found.");
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> fmt, string what)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        int rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        string name = FormatName(tag);
        if (tag == 0xFFFE)
        {
            if (fmt.Length < 40) throw new InvalidDataException($"{what}: a WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes.");
            ushort sub = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
            name = "extensible " + FormatName(sub);
            tag = sub;
        }

        if (tag != 1) throw new NotSupportedException($"{what}: WAV format '{name}' ({bits}-bit) is not supported; expected 16-bit PCM.");
        if (bits != 16) throw new NotSupportedException($"{what}: WAV format '{bits}-bit PCM' is not supported; expected 16-bit PCM.");
        if (channels is not (1 or 2)) throw new NotSupportedException($"{what}: a WAV with {channels} channels is not supported; expected mono or stereo.");
        if (rate <= 0) throw new InvalidDataException($"{what}: the WAV sample rate is {rate}.");
        return new WavFormat(new SampleRate(rate), channels);
    }

    private static string FormatName(ushort tag) => tag switch
    {
        1 => "PCM",
        2 => "Microsoft ADPCM",
        3 => "IEEE float",
        6 => "A-law",
        7 => "μ-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x55 => "MPEG Layer 3",
        0xFFFE => "extensible",
        _ => $"format tag 0x{tag:X4}",
    };

    private static string FourCc(ReadOnlySpan<byte> b)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = b[i] is >= 0x20 and < 0x7F ? (char)b[i] : '?';
        return new string(c);
    }

    private static bool TryReadExactly(Stream s, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = s.Read(buffer[got..]);
            if (n == 0) return false;
            got += n;
        }

        return true;
    }

    private static void Skip(Stream s, long bytes)
    {
        if (bytes > 0) s.Seek(bytes, SeekOrigin.Current);
    }
}
