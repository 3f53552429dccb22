using System.Globalization;
using System.Text;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>
/// The recorded output of the ITU-T G.722 Appendix IV reference decoder for one scenario (a text file of ours,
/// <c>AppendixIV/&lt;name&gt;.txt</c>): the SHA-256 of the input stream, the frame length, the loss mask and one
/// checksum per output frame (<see cref="G722AppendixIVScenario.FrameHash"/>).
/// <code>
///   # comment lines
///   input-sha256 &lt;64 hex&gt;
///   frame-samples 320
///   mask 1110111…            ('1' received, '0' lost)
///   frames 150
///   &lt;16 hex&gt;                 (one line per frame, in order)
/// </code>
/// </summary>
internal sealed record G722AppendixIVReference(string InputSha256, int FrameSamples, string Mask, string[] FrameHashes)
{
    public static string DirectoryPath => Path.Combine(AppContext.BaseDirectory, "G722", "AppendixIV");

    public static string PathOf(string scenario) => Path.Combine(DirectoryPath, scenario + ".txt");

    public static G722AppendixIVReference Load(string scenario)
    {
        string? sha = null, mask = null;
        int frameSamples = 0, frames = -1;
        var hashes = new List<string>();
        foreach (var raw in File.ReadLines(PathOf(scenario)))
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

        if (sha is null || mask is null || frameSamples == 0 || frames != hashes.Count || frames != mask.Length)
        {
            throw new InvalidDataException($"{scenario}: incomplete reference file ({hashes.Count} hashes, {frames} frames declared)");
        }

        return new G722AppendixIVReference(sha, frameSamples, mask, hashes.ToArray());
    }

    /// <summary>Writes the file for <paramref name="scenario"/> from the reference decoder's output (16-bit little-endian PCM).</summary>
    public static string Format(G722AppendixIVScenario scenario, ReadOnlySpan<byte> referencePcm)
    {
        int frameBytes = scenario.FrameSamples * 2;
        int frames = scenario.Lost.Length;
        if (referencePcm.Length != frames * frameBytes)
        {
            throw new InvalidDataException($"{scenario.Name}: the reference output has {referencePcm.Length} bytes, expected {frames * frameBytes}");
        }

        var sb = new StringBuilder();
        sb.Append("# G.722 Appendix IV: per-frame checksums of the ITU-T reference decoder's output (G.722 (2012) Software/G.722-Appendix-IV_v3.0, decg722)\n");
        sb.Append("# scenario '").Append(scenario.Name).Append("'; checksum = first 8 bytes of SHA-256 of the frame's 16-bit LE samples\n");
        sb.Append("# regenerate with tools/g722-appendix-iv/regenerate.sh\n");
        sb.Append("input-sha256 ").Append(G722AppendixIVScenario.Sha256Hex(scenario.Stream())).Append('\n');
        sb.Append("frame-samples ").Append(scenario.FrameSamples.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("mask ").Append(scenario.Mask()).Append('\n');
        sb.Append("frames ").Append(frames.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var samples = new short[scenario.FrameSamples];
        for (int f = 0; f < frames; f++)
        {
            var bytes = referencePcm.Slice(f * frameBytes, frameBytes);
            for (int i = 0; i < samples.Length; i++) samples[i] = (short)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8));
            sb.Append(G722AppendixIVScenario.FrameHash(samples)).Append('\n');
        }

        return sb.ToString();
    }
}
