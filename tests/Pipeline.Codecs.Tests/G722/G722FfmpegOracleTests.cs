using System.Runtime.InteropServices;
using Pipeline.Codecs.G722;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G722;

/// <summary>
/// ffmpeg's g722 encoder and decoder as the oracle (they derive from spandsp, which passes the ITU-T test
/// sequences). Our encoder must produce ffmpeg's bytes exactly, and our decoder ffmpeg's samples exactly.
/// </summary>
public sealed class G722FfmpegOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-g722-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolFact("ffmpeg")]
    public async Task Encoder_output_equals_ffmpeg_byte_for_byte_on_sweep_and_noise()
    {
        var pcm = G722TestSignals.SweepAndNoise();
        byte[] theirs = await FfmpegEncodeAsync(pcm, "sweep");
        var ours = new byte[pcm.Length / 2];
        new G722Encoder().Encode(pcm, ours);
        AssertSameBytes(theirs, ours);

        // The signal must exercise the quantisers, or identical bytes would prove little.
        var low = new HashSet<int>();
        var high = new HashSet<int>();
        foreach (var b in ours)
        {
            low.Add(b & 0x3F);
            high.Add(b >> 6);
        }

        Assert.True(low.Count >= 50, $"only {low.Count} of the 60 lower-band codes used");
        Assert.Equal(4, high.Count);
        output.WriteLine($"{ours.Length} bytes identical to ffmpeg; {low.Count} lower-band and {high.Count} higher-band codes used");
    }

    [RequiresToolFact("ffmpeg")]
    public async Task Decoder_output_equals_ffmpeg_sample_for_sample_on_ffmpeg_stream()
    {
        var pcm = G722TestSignals.SweepAndNoise(seed: 9);
        byte[] coded = await FfmpegEncodeAsync(pcm, "dec");
        short[] theirs = await FfmpegDecodeAsync("dec");
        var ours = new short[coded.Length * 2];
        Assert.Equal(coded.Length * 2, new G722Decoder().Decode(coded, ours));
        AssertSameSamples(theirs, ours);
    }

    [RequiresToolFact("ffmpeg")]
    public async Task Decoder_output_equals_ffmpeg_on_random_bytes()
    {
        // Every code in every state: random bytes drive the predictors and scale factors to their limits.
        var bytes = new byte[32000];
        new Random(7220).NextBytes(bytes);
        string path = Path.Combine(_dir, "random.g722");
        await File.WriteAllBytesAsync(path, bytes);
        short[] theirs = await FfmpegDecodeAsync("random");
        var ours = new short[bytes.Length * 2];
        new G722Decoder().Decode(bytes, ours);
        AssertSameSamples(theirs, ours);
    }

    [RequiresToolFact("ffmpeg")]
    public async Task Overloaded_input_differs_from_ffmpeg_only_by_the_reference_sub_band_limit()
    {
        // A sweep driven into clipping, then a full-scale pattern matched to the QMF's signs: the analysis filter's
        // output goes past the 15-bit range that the ITU-T reference (qmf_tx) limits it to. ffmpeg (like spandsp)
        // does not limit, so it differs there; without the limit our encoder gives ffmpeg's bytes exactly,
        // which shows that the limit is the whole difference.
        var loud = G722TestSignals.SweepAndNoise(seconds: 2, peak: 1.6);
        var worst = new short[3200];
        for (int i = 0; i < worst.Length; i++) worst[i] = (short)(((i / 24) % 2 == 0 ? 1 : -1) * (G722Tables.Qmf[i % 24] >= 0 ? 32767 : -32768));
        short[] pcm = [.. loud, .. worst];
        byte[] theirs = await FfmpegEncodeAsync(pcm, "loud");

        var unlimited = new byte[pcm.Length / 2];
        new G722Encoder(limitSubBands: false).Encode(pcm, unlimited);
        AssertSameBytes(theirs, unlimited);

        var reference = new byte[pcm.Length / 2];
        new G722Encoder().Encode(pcm, reference);
        int differ = 0;
        for (int i = 0; i < reference.Length; i++) differ += reference[i] != theirs[i] ? 1 : 0;
        Assert.True(differ > 0, "the overload signal must reach the limit, or this test shows nothing");
        output.WriteLine($"overload: {differ} of {reference.Length} bytes differ from ffmpeg with the reference limit, 0 without it");

        // Both are valid streams of the same audio: decoded, they stay close.
        var a = new short[pcm.Length];
        var b = new short[pcm.Length];
        new G722Decoder().Decode(reference, a);
        new G722Decoder().Decode(theirs, b);
        Assert.True(G722Measure.SnrDb(a.AsSpan(0, loud.Length), b.AsSpan(0, loud.Length)) > 20, "the limited and unlimited encodings decode to nearly the same audio");
    }

    [RequiresToolFact("ffmpeg")]
    public async Task Ffmpeg_encoder_differs_from_the_itu_reference_encoder_on_the_square_wave()
    {
        // Why the ITU-T reference encoder, not ffmpeg, is the encoder's oracle (G722EncoderBitExactTests): on a ±32440
        // square wave our bytes are the reference's, frame for frame, and ffmpeg's are not.
        var square = AppendixIV.G722EncoderScenarios.Get("square");
        var ours = square.Encode();
        AppendixIV.G722EncoderBitExactTests.AssertMatchesReference("square", AppendixIV.G722AppendixIVReference.LoadEncoder("square"), ours);

        byte[] theirs = await FfmpegEncodeAsync(square.Pcm, "square");
        int differ = 0, first = -1;
        for (int i = 0; i < ours.Length; i++)
        {
            if (ours[i] == theirs[i]) continue;
            differ++;
            if (first < 0) first = i;
        }

        output.WriteLine($"square wave: ffmpeg differs from the ITU-T reference in {differ} of {ours.Length} bytes, the first at byte {first}");
        Assert.True(differ > ours.Length / 4, $"ffmpeg differs from the ITU-T reference in only {differ} of {ours.Length} bytes");

        // And the difference is the sub-band limit alone: without it we give ffmpeg's bytes.
        var unlimited = new byte[ours.Length];
        new G722Encoder(limitSubBands: false).Encode(square.Pcm, unlimited);
        AssertSameBytes(theirs, unlimited);
    }

    private async Task<byte[]> FfmpegEncodeAsync(short[] pcm, string name)
    {
        string wav = Path.Combine(_dir, name + ".wav");
        string coded = Path.Combine(_dir, name + ".g722");
        WavFile.WriteAll(wav, new WavFormat(SampleRate.Hz16000, 1), pcm);
        await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-y", "-i", wav, "-ar", "16000", "-ac", "1", "-c:a", "g722", "-f", "g722", coded]);
        byte[] bytes = await File.ReadAllBytesAsync(coded);
        Assert.Equal(pcm.Length / 2, bytes.Length);
        return bytes;
    }

    private async Task<short[]> FfmpegDecodeAsync(string name)
    {
        string coded = Path.Combine(_dir, name + ".g722");
        byte[] raw = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-f", "g722", "-i", coded, "-f", "s16le", "-ar", "16000", "-ac", "1", "-"]);
        return MemoryMarshal.Cast<byte, short>(raw).ToArray();
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i]) continue;
            differ++;
            if (first < 0) first = i;
        }

        Assert.True(differ == 0, $"{differ} of {expected.Length} bytes differ from ffmpeg; the first at byte {first} (ffmpeg 0x{(first >= 0 ? expected[first] : 0):X2}, ours 0x{(first >= 0 ? actual[first] : 0):X2}).");
    }

    private static void AssertSameSamples(short[] expected, short[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i]) continue;
            differ++;
            if (first < 0) first = i;
        }

        Assert.True(differ == 0, $"{differ} of {expected.Length} samples differ from ffmpeg; the first at sample {first} (ffmpeg {(first >= 0 ? expected[first] : 0)}, ours {(first >= 0 ? actual[first] : 0)}).");
    }
}
