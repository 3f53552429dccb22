using System.Globalization;
using System.Text;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>
/// The recorded output of an ITU-T G.722 reference program for one scenario (a text file of ours): for the Appendix IV
/// decoder (<c>AppendixIV/&lt;name&gt;.txt</c>) the SHA-256 of the input stream, the frame length, the loss mask and one
/// checksum per output frame (<see cref="G722AppendixIVScenario.FrameHash(ReadOnlySpan{short})"/>); for the encoder
/// (<c>AppendixIV/encoder/&lt;name&gt;.txt</c>) the SHA-256 of the input samples, the frame length and one checksum per
/// frame of the coded bytes (no mask).
/// <code>
///   # comment lines
///   input-sha256 &lt;64 hex&gt;
///   frame-samples 320
///   mask 1110111…            ('1' received, '0' lost; decoder files only)
///   frames 150
///   &lt;16 hex&gt;                 (one line per frame, in order)
/// </code>
/// </summary>
internal sealed record G722AppendixIVReference(string InputSha256, int FrameSamples, string? Mask, string[] FrameHashes)
{
    public static string DirectoryPath => Path.Combine(AppContext.BaseDirectory, "G722", "AppendixIV");

    public static string PathOf(string scenario) => Path.Combine(DirectoryPath, scenario + ".txt");

    public static string EncoderPathOf(string scenario) => Path.Combine(DirectoryPath, "encoder", scenario + ".txt");

    /// <summary>The reference decoder's checksums for an Appendix IV scenario.</summary>
    public static G722AppendixIVReference Load(string scenario) => Load(scenario, PathOf(scenario), withMask: true);

    /// <summary>The reference encoder's checksums for an encoder scenario.</summary>
    public static G722AppendixIVReference LoadEncoder(string scenario) => Load(scenario, EncoderPathOf(scenario), withMask: false);

    private static G722AppendixIVReference Load(string scenario, string path, bool withMask)
    {
        string? sha = null, mask = null;
        int frameSamples = 0, frames = -1;
        var hashes = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                hashes.Add(line);
                continue;
            }

            var key = line[..space];
            var value = line[(space + 1)..].Trim();
            switch (key)
            {
                case "input-sha256": sha = value; break;
                case "frame-samples": frameSamples = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "mask": mask = value; break;
                case "frames": frames = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new InvalidDataException($"{scenario}: unknown key '{key}'");
            }
        }

        if (sha is null || frameSamples == 0 || frames != hashes.Count || (withMask ? mask is null || frames != mask.Length : mask is not null))
        {
            throw new InvalidDataException($"{scenario}: incomplete reference file ({hashes.Count} hashes, {frames} frames declared)");
        }

        return new G722AppendixIVReference(sha, frameSamples, mask, hashes.ToArray());
    }

    /// <summary>Writes the file for <paramref name="scenario"/> from the reference decoder's output (16-bit little-endian PCM).</summary>
    public static string Format(G722AppendixIVScenario scenario, ReadOnlySpan<byte> referencePcm) => Format(
        "# G.722 Appendix IV: per-frame checksums of the ITU-T reference decoder's output (G.722 (2012) Software/G.722-Appendix-IV_v3.0, decg722)\n" +
        "# scenario '" + scenario.Name + "'; checksum = first 8 bytes of SHA-256 of the frame's 16-bit LE samples\n",
        scenario.Name,
        G722AppendixIVScenario.Sha256Hex(scenario.Stream()),
        scenario.FrameSamples,
        scenario.Mask(),
        scenario.Lost.Length,
        scenario.FrameSamples * 2,
        referencePcm);

    /// <summary>Writes the file for an encoder scenario from the reference encoder's output (one byte per sample pair).</summary>
    public static string Format(G722EncoderScenario scenario, ReadOnlySpan<byte> referenceCoded) => Format(
        "# G.722 encoder: per-frame checksums of the ITU-T reference encoder's output (qmf_tx, lsbcod, hsbcod of G.722 (2012)\n" +
        "# Software/G.722-Appendix-IV_v3.0, driven by tools/g722-appendix-iv/encg722.c)\n" +
        "# scenario '" + scenario.Name + "'; input-sha256 = SHA-256 of the input's 16-bit LE samples;\n" +
        "# checksum = first 8 bytes of SHA-256 of the frame's " + (scenario.FrameSamples / 2).ToString(CultureInfo.InvariantCulture) + " coded bytes\n",
        scenario.Name,
        G722AppendixIVScenario.Sha256Hex(scenario.PcmBytes()),
        scenario.FrameSamples,
        mask: null,
        scenario.Frames,
        scenario.FrameSamples / 2,
        referenceCoded);

    private static string Format(string header, string name, string inputSha256, int frameSamples, string? mask, int frames, int frameBytes, ReadOnlySpan<byte> reference)
    {
        if (reference.Length != frames * frameBytes)
        {
            throw new InvalidDataException($"{name}: the reference output has {reference.Length} bytes, expected {frames * frameBytes}");
        }

        var sb = new StringBuilder();
        sb.Append(header);
        sb.Append("# regenerate with tools/g722-appendix-iv/regenerate.sh\n");
        sb.Append("input-sha256 ").Append(inputSha256).Append('\n');
        sb.Append("frame-samples ").Append(frameSamples.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (mask is not null) sb.Append("mask ").Append(mask).Append('\n');
        sb.Append("frames ").Append(frames.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (int f = 0; f < frames; f++) sb.Append(G722AppendixIVScenario.FrameHash(reference.Slice(f * frameBytes, frameBytes))).Append('\n');
        return sb.ToString();
    }
}
