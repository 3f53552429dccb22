using System.Runtime.InteropServices;
using Pipeline.Codecs.Ilbc;

namespace Pipeline.Codecs.Tests.Ilbc;

/// <summary>ffmpeg's native iLBC decoder (a port of the fixed-point reference) and its RFC 3952 storage demuxer.</summary>
internal static class IlbcOracle
{
    public static byte[] StorageFile(IlbcMode mode, ReadOnlySpan<byte> frames)
    {
        using var ms = new MemoryStream();
        IlbcFile.WriteHeader(ms, mode);
        ms.Write(frames);
        return ms.ToArray();
    }

    public static async Task<short[]> FfmpegDecodeAsync(string dir, string name, IlbcMode mode, byte[] frames)
    {
        string path = Path.Combine(dir, name + ".lbc");
        await File.WriteAllBytesAsync(path, StorageFile(mode, frames));
        byte[] raw = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-xerror", "-f", "ilbc", "-i", path, "-f", "s16le", "-ac", "1", "-ar", "8000", "-"]);
        return MemoryMarshal.Cast<byte, short>(raw).ToArray();
    }

    /// <summary>Random but valid frames: every parameter random, the empty-frame bit clear and the start position legal.</summary>
    public static byte[] RandomFrames(IlbcMode mode, int count, int seed)
    {
        var rng = new Random(seed);
        int bytes = IlbcFile.FrameLength(mode);
        var all = new byte[count * bytes];
        var p = new int[IlbcBitstream.Count];
        for (int f = 0; f < count; f++)
        {
            var frame = all.AsSpan(f * bytes, bytes);
            rng.NextBytes(frame);
            IlbcBitstream.Unpack(frame, mode, p);
            p[IlbcBitstream.Empty] = 0;
            p[IlbcBitstream.Start] = 1 + rng.Next(mode == IlbcMode.Ms20 ? 3 : 5);
            for (int k = 0; k < 3; k++) p[IlbcBitstream.Cb + k] %= mode == IlbcMode.Ms20 ? 126 : 128; // the start-state codebook's size
            IlbcBitstream.Pack(p, mode, frame);
        }

        return all;
    }
}
