using Pipeline.Codecs.Ilbc;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Ilbc;

public sealed class IlbcDecoderOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-ilbc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolTheory("ffmpeg")]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public async Task Decoder_equals_ffmpeg_sample_for_sample_on_random_valid_frames(IlbcMode mode)
    {
        byte[] frames = IlbcOracle.RandomFrames(mode, 200, seed: (int)mode);
        short[] theirs = await IlbcOracle.FfmpegDecodeAsync(_dir, "random", mode, frames);
        var ours = Decode(new IlbcDecoder(mode, zeroInitialLsf: true), mode, frames);
        IlbcMeasure.AssertSameSamples(theirs, ours, output);
    }

    internal static short[] Decode(IlbcDecoder decoder, IlbcMode mode, byte[] frames)
    {
        int bytes = IlbcFile.FrameLength(mode);
        int samples = (int)mode * 8;
        var pcm = new short[frames.Length / bytes * samples];
        for (int f = 0; f < frames.Length / bytes; f++)
        {
            Assert.Equal(samples, decoder.Decode(frames.AsSpan(f * bytes, bytes), pcm.AsSpan(f * samples, samples)));
        }

        return pcm;
    }
}
