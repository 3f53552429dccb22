using System.Runtime.InteropServices;
using Pipeline.Codecs.G711;
using Pipeline.Core.Media;
using Pipeline.Devices;

namespace Pipeline.Codecs.Tests;

/// <summary>
/// ffmpeg as an independent oracle. Its decoders (pcm_mulaw, pcm_alaw) give the G.711 levels exactly.
/// Its encoders do not quite follow G.711: they floor the sample to 14 bits in two's complement and put
/// the decision thresholds at the midpoints between levels, whereas G.711 (and its G.191 reference)
/// takes negative samples in one's complement and has its own decision values. So 964 of the 65536
/// inputs encode to the neighbouring code in ffmpeg. The encoder comparison therefore demands identical
/// bytes except where the two codes are neighbouring levels that bracket the input (both are roundings
/// of it; they differ only in where the threshold lies), and only for a small share of samples.
/// </summary>
public sealed class FfmpegOracleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-g711-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolFact("ffmpeg")]
    public async Task MuLaw_encoder_and_decoder_agree_with_ffmpeg_on_tone_plus_noise() => await CompareAsync("mulaw", ToneAndNoise(), maxMismatchShare: 0.05);

    [RequiresToolFact("ffmpeg")]
    public async Task ALaw_encoder_and_decoder_agree_with_ffmpeg_on_tone_plus_noise() => await CompareAsync("alaw", ToneAndNoise(), maxMismatchShare: 0.05);

    [RequiresToolFact("ffmpeg")]
    public async Task MuLaw_differs_from_ffmpeg_only_at_decision_thresholds_over_all_inputs() => await CompareAsync("mulaw", G711ConformanceTests.AllInputs(), maxMismatchShare: 0.015);

    [RequiresToolFact("ffmpeg")]
    public async Task ALaw_differs_from_ffmpeg_only_at_decision_thresholds_over_all_inputs() => await CompareAsync("alaw", G711ConformanceTests.AllInputs(), maxMismatchShare: 0.015);

    private async Task CompareAsync(string law, short[] pcm, double maxMismatchShare)
    {
        IAudioEncoder encoder = law == "mulaw" ? new MuLawEncoder() : new ALawEncoder();
        IAudioDecoder decoder = law == "mulaw" ? new MuLawDecoder() : new ALawDecoder();
        string wav = Path.Combine(_dir, law + ".wav");
        string coded = Path.Combine(_dir, law + ".raw");
        WavFile.WriteAll(wav, new WavFormat(SampleRate.Hz8000, 1), pcm);

        await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "pcm_" + law, "-f", law, coded]);
        byte[] theirs = await File.ReadAllBytesAsync(coded);
        Assert.Equal(pcm.Length, theirs.Length);

        // Encoder: identical, or ffmpeg's nearest-level choice next door.
        var ours = new byte[pcm.Length];
        encoder.Encode(pcm, ours);
        var levels = SortedLevels(decoder);
        int mismatches = 0;
        for (int i = 0; i < pcm.Length; i++)
        {
            if (ours[i] == theirs[i]) continue;
            mismatches++;
            short ourLevel = Decode(decoder, ours[i]);
            short theirLevel = Decode(decoder, theirs[i]);
            Assert.True(
                Math.Abs(Array.BinarySearch(levels, ourLevel) - Array.BinarySearch(levels, theirLevel)) == 1,
                $"{law}: sample {i} = {pcm[i]}: ours 0x{ours[i]:X2} ({ourLevel}) and ffmpeg 0x{theirs[i]:X2} ({theirLevel}) are not neighbouring levels");
            Assert.True(
                pcm[i] >= Math.Min(ourLevel, theirLevel) && pcm[i] <= Math.Max(ourLevel, theirLevel),
                $"{law}: sample {i} = {pcm[i]} is not between ours 0x{ours[i]:X2} ({ourLevel}) and ffmpeg's 0x{theirs[i]:X2} ({theirLevel}), so the difference is not just where the decision threshold lies");
        }

        Assert.True(mismatches <= pcm.Length * maxMismatchShare, $"{law}: {mismatches} of {pcm.Length} bytes differ from ffmpeg, more than {maxMismatchShare:P1}");
        Assert.True(mismatches < pcm.Length / 2, "the comparison must be mostly identical bytes");

        // Decoder: ffmpeg's decoding of its own bytes must equal ours exactly.
        string decoded = Path.Combine(_dir, law + "-decoded.raw");
        await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", law, "-ar", "8000", "-ac", "1", "-i", coded, "-f", "s16le", "-c:a", "pcm_s16le", decoded]);
        short[] theirPcm = MemoryMarshal.Cast<byte, short>(await File.ReadAllBytesAsync(decoded)).ToArray();
        var ourPcm = new short[theirs.Length];
        decoder.Decode(theirs, ourPcm);
        Assert.Equal(theirPcm, ourPcm);
    }

    private static short[] ToneAndNoise()
    {
        var rng = new Random(20240601);
        var pcm = new short[8000 * 2];
        for (int i = 0; i < pcm.Length; i++)
        {
            double tone = 0.45 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0) + 0.2 * Math.Sin(2 * Math.PI * 313 * i / 8000.0);
            double noise = (rng.NextDouble() - 0.5) * 0.3;
            double envelope = 0.05 + 0.95 * Math.Abs(Math.Sin(Math.PI * i / pcm.Length * 3)); // sweep levels through the segments
            pcm[i] = (short)Math.Clamp((tone + noise) * envelope * 32767, short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    private static short Decode(IAudioDecoder d, byte code)
    {
        Span<short> s = stackalloc short[1];
        d.Decode([code], s);
        return s[0];
    }

    private static short[] SortedLevels(IAudioDecoder d)
    {
        var set = new SortedSet<short>();
        for (int c = 0; c < 256; c++) set.Add(Decode(d, (byte)c));
        return [.. set];
    }
}
