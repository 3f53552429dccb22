using Pipeline.Codecs.Opus;

namespace Pipeline.Codecs.Tests.Opus;

public sealed class OpusDecimatorTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void Passes_the_band_below_the_new_nyquist_and_removes_what_would_alias(int factor)
    {
        int outRate = 48000 / factor;
        double pass = Gain(factor, 0.3 * outRate / 2); // well inside the new band
        double stop = Gain(factor, 1.3 * outRate / 2); // would fold back to 0.7 of the new Nyquist
        Assert.InRange(pass, 0.97, 1.03);
        Assert.True(stop < 0.01, $"a tone above the new Nyquist should be removed, gain {stop:F4}");
    }

    [Fact]
    public void Keeps_its_history_across_calls_so_block_size_does_not_matter()
    {
        var input = new short[4800];
        var rng = new Random(3);
        for (int i = 0; i < input.Length; i++) input[i] = (short)rng.Next(-8000, 8000);
        var whole = new short[1600];
        new OpusDecimator(3, 1, 4800).Process(input, 4800, whole);
        var pieces = new short[1600];
        var d = new OpusDecimator(3, 1, 4800);
        for (int i = 0; i < 10; i++) d.Process(input.AsSpan(i * 480, 480), 480, pieces.AsSpan(i * 160, 160));
        Assert.Equal(whole, pieces);
    }

    private static double Gain(int factor, double hz)
    {
        int n = 9600;
        var input = new short[n * 2];
        for (int i = 0; i < n; i++)
        {
            short v = (short)Math.Round(10000 * Math.Sin(2 * Math.PI * hz * i / 48000));
            input[2 * i] = v;
            input[(2 * i) + 1] = (short)-v; // stereo: the channels stay apart
        }

        var output = new short[n / factor * 2];
        new OpusDecimator(factor, 2, n).Process(input, n, output);
        var left = OpusTestSupport.Channel(output, 0, 2).AsSpan(100);
        var right = OpusTestSupport.Channel(output, 1, 2).AsSpan(100);
        for (int i = 0; i < left.Length; i++) Assert.Equal(-left[i], right[i], 1.0);
        return OpusTestSupport.Rms(left) / (10000 / Math.Sqrt(2));
    }
}
