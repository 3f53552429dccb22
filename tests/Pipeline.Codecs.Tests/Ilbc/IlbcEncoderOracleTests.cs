using Pipeline.Codecs.Ilbc;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Ilbc;

/// <summary>Our encoder's streams, decoded by ffmpeg's native iLBC decoder (a port of the fixed-point reference).</summary>
public sealed class IlbcEncoderOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-ilbc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolTheory("ffmpeg")]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public async Task Ffmpeg_decodes_our_stream_to_audio_that_follows_the_input(IlbcMode mode)
    {
        var input = IlbcTestSignals.SpeechLike(seconds: 4.2);
        byte[] frames = Encode(mode, input);
        short[] theirs = await IlbcOracle.FfmpegDecodeAsync(_dir, "speech", mode, frames);
        Assert.Equal(input.Length, theirs.Length);

        int lag = IlbcMeasure.BestLag(input, theirs, 40);
        int n = input.Length - lag;
        double corr = IlbcMeasure.Correlation(input.AsSpan(0, n), theirs.AsSpan(lag, n));
        double snr = IlbcMeasure.SnrDb(input.AsSpan(0, n), theirs.AsSpan(lag, n));
        output.WriteLine($"{(int)mode} ms: {frames.Length} bytes; ffmpeg's decode vs input: delay {lag} samples, correlation {corr:F4}, SNR {snr:F2} dB");
        Assert.True(corr > 0.8, $"correlation {corr:F4} with the input after {lag} samples' delay");
    }

    [RequiresToolTheory("ffmpeg")]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public async Task Our_decoder_equals_ffmpeg_on_our_stream(IlbcMode mode)
    {
        var input = IlbcTestSignals.SpeechLike(seconds: 3.6, seed: 17);
        byte[] frames = Encode(mode, input);
        short[] theirs = await IlbcOracle.FfmpegDecodeAsync(_dir, "ours", mode, frames);

        // Started like ffmpeg's decoder (zero LSF history): bit-exact.
        var exact = IlbcDecoderOracleTests.Decode(new IlbcDecoder(mode, zeroInitialLsf: true), mode, frames);
        IlbcMeasure.AssertSameSamples(theirs, exact, output);

        // Started as RFC 3951 says (mean LSF history): only the first frames may differ, by little.
        var rfc = IlbcDecoderOracleTests.Decode(new IlbcDecoder(mode), mode, frames);
        double corr = IlbcMeasure.Correlation(theirs, rfc);
        output.WriteLine($"RFC start: correlation {corr:F6}, max difference {IlbcMeasure.MaxAbsDiff(theirs, rfc)}");
        Assert.True(corr > 0.99);
    }

    internal static byte[] Encode(IlbcMode mode, short[] input)
    {
        var encoder = new IlbcEncoder(mode);
        int samples = (int)mode * 8;
        int bytes = IlbcFile.FrameLength(mode);
        var frames = new byte[input.Length / samples * bytes];
        for (int f = 0; f < input.Length / samples; f++)
        {
            Assert.Equal(bytes, encoder.Encode(input.AsSpan(f * samples, samples), frames.AsSpan(f * bytes, bytes)));
        }

        return frames;
    }
}
