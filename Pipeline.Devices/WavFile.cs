namespace Pipeline.Devices;

/// <summary>One-call helpers over <see cref="WavFileReader"/> and <see cref="WavFileWriter"/> (16-bit PCM WAV).</summary>
public static class WavFile
{
    /// <summary>Reads a whole file: its format and its interleaved samples.</summary>
    /// <exception cref="NotSupportedException">The file is not 16-bit PCM mono/stereo; the message names what it is.</exception>
    public static (WavFormat Format, short[] Samples) ReadAll(string path)
    {
        using var r = new WavFileReader(path);
        return (r.Format, r.ReadToEnd());
    }

    /// <summary>Reads only the header: format and length.</summary>
    public static (WavFormat Format, long SampleCount) ReadInfo(string path)
    {
        using var r = new WavFileReader(path);
        return (r.Format, r.SampleCount);
    }

    /// <summary>Writes <paramref name="samples"/> (interleaved) as a complete file.</summary>
    public static void WriteAll(string path, WavFormat format, ReadOnlySpan<short> samples)
    {
        using var w = new WavFileWriter(path, format);
        w.Write(samples);
    }
}
