using System.Runtime.InteropServices;
using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Opus;

/// <summary>
/// ffmpeg as the oracle for Opus: it must decode our Ogg Opus files to the audio we put in, and our reader and
/// decoders must decode its libopus-encoded <c>.opus</c> files as it does itself.
/// </summary>
public sealed class OpusFfmpegOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-opus-").FullName;

    public static TheoryData<OpusImplementation, int, int> OurFiles
    {
        get
        {
            var data = new TheoryData<OpusImplementation, int, int>();
            foreach (var impl in new[] { OpusImplementation.Native, OpusImplementation.Managed })
            {
                foreach (int rate in new[] { 8000, 16000, 48000 })
                {
                    data.Add(impl, rate, 1);
                    data.Add(impl, rate, 2);
                }
            }

            return data;
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolTheory("ffmpeg")]
    [MemberData(nameof(OurFiles))]
    public async Task Ffmpeg_decodes_our_ogg_opus_file_to_the_input_audio(OpusImplementation impl, int rate, int channels)
    {
        RequireNativeIfAsked(impl);
        var pcm = OpusTestSupport.ToneAndSpeech(rate, 1.5, channels);
        string path = Path.Combine(_dir, $"ours-{impl}-{rate}-{channels}.opus");
        await using (var file = File.Create(path))
        {
            OggOpusFile.Write(file, pcm, new OpusEncoderOptions { SampleRate = new SampleRate(rate), Channels = channels, Bitrate = 24000 * channels }, impl);
        }

        byte[] raw = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-f", "s16le", "-ar", rate.ToString(), "-ac", channels.ToString(), "-"]);
        short[] theirs = MemoryMarshal.Cast<byte, short>(raw).ToArray();

        // ffmpeg drops the pre-skip and trims to the final granule: same length (± its resampler's rounding), no delay.
        Assert.InRange(theirs.Length / channels, (pcm.Length / channels) - 2, (pcm.Length / channels) + 2);
        for (int c = 0; c < channels; c++)
        {
            var x = OpusTestSupport.Channel(pcm, c, channels);
            var y = OpusTestSupport.Channel(theirs, c, channels);
            var (corr, lag) = OpusTestSupport.BestCorrelation(x, y, maxLag: Math.Max(8, rate / 2000), skip: rate / 10);
            output.WriteLine($"{impl} {rate} Hz {channels} ch, channel {c}: ffmpeg's decode correlates {corr:F4} at lag {lag}");
            Assert.True(corr > 0.9, $"channel {c}: correlation {corr:F3}");
            int tolerance = Math.Max(2, rate / 8000); // the best-correlation lag of a lossy codec wanders by a fraction of a millisecond
            Assert.InRange(lag, -tolerance, tolerance);
        }
    }

    [RequiresToolTheory("ffmpeg")]
    [InlineData(OpusImplementation.Native, 48000, 1)]
    [InlineData(OpusImplementation.Native, 48000, 2)]
    [InlineData(OpusImplementation.Native, 16000, 1)]
    [InlineData(OpusImplementation.Managed, 48000, 1)]
    [InlineData(OpusImplementation.Managed, 48000, 2)]
    [InlineData(OpusImplementation.Managed, 16000, 1)]
    public async Task Our_reader_and_decoder_match_ffmpegs_decode_of_its_libopus_file(OpusImplementation impl, int rate, int channels)
    {
        RequireNativeIfAsked(impl);
        var pcm = OpusTestSupport.ToneAndSpeech(48000, 1.5, channels);
        string wav = Path.Combine(_dir, $"in-{channels}.wav");
        string path = Path.Combine(_dir, $"ffmpeg-{channels}.opus");
        WavFile.WriteAll(wav, new WavFormat(SampleRate.Hz48000, channels), pcm);
        await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "libopus", "-b:a", $"{32 * channels}k", path]);

        // ffmpeg's own decode with libopus; at 48 kHz no resampling is involved.
        byte[] raw = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-c:a", "libopus", "-i", path, "-f", "s16le", "-ar", rate.ToString(), "-ac", channels.ToString(), "-"]);
        short[] theirs = MemoryMarshal.Cast<byte, short>(raw).ToArray();

        OggOpusAudio ours;
        await using (var file = File.OpenRead(path))
        {
            using var reader = new OggOpusReader(file, leaveOpen: true);
            Assert.Equal(channels, reader.Channels);
            Assert.Equal(48000, reader.InputSampleRate);
            Assert.True(reader.PreSkip > 0);
            Assert.StartsWith("Lavf", reader.Vendor);
            file.Position = 0;
            ours = OggOpusFile.Read(file, new SampleRate(rate), impl);
        }

        Assert.Equal(channels, ours.Channels);
        int expected = (int)((long)pcm.Length / channels * rate / 48000);
        Assert.Equal(expected, ours.Length);
        Assert.InRange(theirs.Length / channels, expected - 2, expected + 2);

        int identical = 0;
        int n = Math.Min(theirs.Length, ours.Samples.Length);
        for (int i = 0; i < n; i++) identical += theirs[i] == ours.Samples[i] ? 1 : 0;
        for (int c = 0; c < channels; c++)
        {
            var x = OpusTestSupport.Channel(theirs, c, channels);
            var y = OpusTestSupport.Channel(ours.Samples, c, channels);
            var (corr, lag) = OpusTestSupport.BestCorrelation(x, y, maxLag: 8);
            double snr = OpusTestSupport.SnrDb(x.AsSpan(0, Math.Min(x.Length, y.Length)), y.AsSpan(0, Math.Min(x.Length, y.Length)));
            output.WriteLine($"{impl} at {rate} Hz {channels} ch, channel {c}: correlation with ffmpeg {corr:F5} at lag {lag}, SNR {snr:F1} dB; {identical} of {n} samples identical");
            Assert.True(corr > 0.99, $"channel {c}: correlation {corr:F4}");

            // Below 48 kHz the Concentus path decodes at 48 kHz and decimates, 8 samples later than libopus (ConcentusOpusDecoder).
            Assert.InRange(lag, -1, impl == OpusImplementation.Managed && rate < 48000 ? 8 : 1);
            if (impl == OpusImplementation.Native && rate == 48000)
            {
                // The same libopus decoding the same packets: near-identical (ffmpeg converts through float).
                Assert.True(snr > 60, $"native decode should be near-identical to ffmpeg's libopus decode (SNR {snr:F1} dB)");
            }
        }
    }

    private static void RequireNativeIfAsked(OpusImplementation impl)
    {
        if (impl == OpusImplementation.Native && OpusTestSupport.NativeSkipReason is string reason)
        {
            // Not silently passing: without libopus (and outside CI) this path cannot run; say so loudly.
            Assert.Fail(reason);
        }
    }
}
