using System.Runtime.InteropServices;
using Pipeline.Codecs.G729;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G729;

/// <summary>
/// ffmpeg's own G.729 decoder (independent of bcg729) as the oracle. It reads raw G.729 with its <c>g729</c> demuxer
/// (<c>-f g729</c>, option <c>bit_rate</c> 8000 by default: 10-byte frames; 6400 would mean G.729D's 8-byte frames).
/// ffmpeg does not understand Annex B SID frames, so these streams are Annex A only.
/// </summary>
public sealed class G729FfmpegOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-g729-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresBcg729Fact("ffmpeg")]
    public async Task Ffmpeg_decodes_our_stream_to_audio_that_correlates_with_the_input()
    {
        var pcm = G729TestSignals.Speech(4);
        byte[] coded = Encode(pcm);
        short[] theirs = await FfmpegDecodeAsync(coded, "speech");
        Assert.Equal(pcm.Length, theirs.Length);
        var (lag, r) = G729Measure.Aligned(pcm, theirs);
        output.WriteLine($"ffmpeg decode of our G.729A stream vs input: correlation {r:F3} at lag {lag} samples");
        Assert.True(r > 0.8, $"correlation {r:F3} at lag {lag}");
    }

    [RequiresBcg729Fact("ffmpeg")]
    public async Task Our_decoder_agrees_with_ffmpeg_on_the_same_stream()
    {
        var pcm = G729TestSignals.Speech(4, seed: 12);
        byte[] coded = Encode(pcm);
        short[] theirs = await FfmpegDecodeAsync(coded, "agree");
        var ours = new short[coded.Length / 10 * 80];
        using (var dec = new G729Decoder())
        {
            Assert.Equal(ours.Length, dec.Decode(coded, ours));
        }

        var (lag, r) = G729Measure.Aligned(theirs, ours);
        double snr = SnrDb(theirs.AsSpan(800), ours.AsSpan(800));
        output.WriteLine($"our decoder vs ffmpeg's on the same stream: correlation {r:F4} at lag {lag}, SNR {snr:F1} dB");
        Assert.Equal(0, lag);
        Assert.True(r > 0.95, $"correlation {r:F4}");
    }

    private static byte[] Encode(short[] pcm)
    {
        using var enc = new G729Encoder(annexB: false);
        var coded = new byte[pcm.Length / 80 * 10];
        Assert.Equal(coded.Length, enc.Encode(pcm.AsSpan(0, pcm.Length / 80 * 80), coded));
        return coded;
    }

    private async Task<short[]> FfmpegDecodeAsync(byte[] coded, string name)
    {
        string path = Path.Combine(_dir, name + ".g729");
        await File.WriteAllBytesAsync(path, coded);
        byte[] raw = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-f", "g729", "-i", path, "-f", "s16le", "-ar", "8000", "-ac", "1", "-"]);
        return MemoryMarshal.Cast<byte, short>(raw).ToArray();
    }

    private static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> test)
    {
        int n = Math.Min(reference.Length, test.Length);
        double s = 0, e = 0;
        for (int i = 0; i < n; i++)
        {
            s += (double)reference[i] * reference[i];
            double d = reference[i] - test[i];
            e += d * d;
        }

        return 10 * Math.Log10(s / Math.Max(e, 1));
    }
}
