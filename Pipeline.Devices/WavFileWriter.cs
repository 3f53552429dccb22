using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.Devices;

/// <summary>
/// Writes a RIFF/WAVE file of 16-bit linear PCM. The header is written first with empty sizes and
/// patched when the writer is disposed, so a file is complete only after <see cref="Dispose"/> or
/// <see cref="DisposeAsync"/> (a reader of a file cut short still reads everything up to the cut).
/// </summary>
public sealed class WavFileWriter : IDisposable, IAsyncDisposable
{
    private const int HeaderSize = 44;
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _start;
    private byte[]? _swap;
    private long _dataBytes;
    private bool _closed;

    /// <summary>Creates (or overwrites) <paramref name="path"/>.</summary>
    public WavFileWriter(string path, WavFormat format)
        : this(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 64 * 1024), format, ownsStream: true)
    {
        Path = path;
    }

    /// <summary>Writes to <paramref name="stream"/>, which must be seekable (the sizes are patched at the end).</summary>
    public WavFileWriter(Stream stream, WavFormat format, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("A WAV writer needs a writable, seekable stream.", nameof(stream));
        if (format.Channels is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(format), format.Channels, "A WAV file has 1 to 8 channels.");
        Format = format;
        _stream = stream;
        _ownsStream = ownsStream;
        _start = stream.Position;
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, format, 0);
        _stream.Write(header);
    }

    public WavFormat Format { get; }

    /// <summary>The file path, when made from one.</summary>
    public string? Path { get; }

    /// <summary>Samples per channel written so far.</summary>
    public long SampleCount => _dataBytes / Format.BlockAlign;

    /// <summary>Appends interleaved samples; the length should be a multiple of the channel count.</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (samples.Length % Format.Channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples are not a whole number of {Format.Channels}-channel frames.", nameof(samples));
        }

        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(samples));
        }
        else
        {
            _swap ??= new byte[8192];
            for (int off = 0; off < samples.Length; off += _swap.Length / 2)
            {
                var chunk = samples.Slice(off, Math.Min(_swap.Length / 2, samples.Length - off));
                for (int i = 0; i < chunk.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(_swap.AsSpan(i * 2), chunk[i]);
                _stream.Write(_swap, 0, chunk.Length * 2);
            }
        }

        _dataBytes += samples.Length * 2L;
    }

    /// <summary>Writes buffered data and patches the header so that the file is valid as it stands.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        PatchHeader();
        _stream.Flush();
    }

    public void Dispose()
    {
        if (_closed) return;
        try
        {
            PatchHeader();
            _stream.Flush();
        }
        finally
        {
            _closed = true;
            if (_ownsStream) _stream.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void PatchHeader()
    {
        long end = _stream.Position;
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, Format, _dataBytes);
        _stream.Position = _start;
        _stream.Write(header);
        _stream.Position = end;
    }

    private static void WriteHeader(Span<byte> h, WavFormat f, long dataBytes)
    {
        // Sizes above 4 GiB cannot be expressed; readers then read to the end of the file.
        uint data = dataBytes > uint.MaxValue - 36 ? uint.MaxValue - 36 : (uint)dataBytes;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], data + 36);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1); // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)f.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], f.SampleRate.Hertz);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], f.SampleRate.Hertz * f.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)f.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], data);
    }
}
