using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Devices;

namespace Pipeline.Codecs.Tests;

public class AudioRateAdapterNodeTests
{
    private static AudioFrame Tone(SampleRate rate, long position, int samples, double hz, int channels = 1)
    {
        var f = AudioFrame.Rent(rate, samples, channels);
        var s = f.Samples;
        for (int i = 0; i < samples; i++)
        {
            var v = (short)(8000 * Math.Sin(2 * Math.PI * hz * (position + i) / rate.Hertz));
            for (int c = 0; c < channels; c++) s[(i * channels) + c] = v;
        }

        f.Position = position;
        return f;
    }

    private static async Task<(MediaGraph Graph, AudioRateAdapterNode Node, CollectorNode<AudioFrame> Sink)> StartAsync(SampleRate target)
    {
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        var node = graph.Add(new AudioRateAdapterNode("rate", target));
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(node.Output, sink.Input);
        graph.Start();
        await Task.Yield();
        return (graph, node, sink);
    }

    private static short[] Concat(IEnumerable<AudioFrame> frames)
    {
        var all = new List<short>();
        foreach (var f in frames) all.AddRange(f.Samples.ToArray());
        return [.. all];
    }

    [Fact]
    public async Task A_frame_at_the_target_rate_passes_through_without_a_copy()
    {
        var (graph, node, sink) = await StartAsync(SampleRate.Hz8000);
        var f = Tone(SampleRate.Hz8000, 800, 160, 1000);
        node.Input.Write(f);
        await Poll.UntilAsync(() => sink.Items.Count == 1, "1 frame");
        Assert.Same(f, sink.Items.Single());
        Assert.Equal(800, f.Position);
        Assert.Equal(0, node.FramesConverted);
        await graph.StopAsync();
    }

    [Fact]
    public async Task Upsampling_8k_to_16k_keeps_the_tone_and_doubles_positions_and_gaps()
    {
        var (graph, node, sink) = await StartAsync(SampleRate.Hz16000);
        for (int i = 0; i < 26; i++)
        {
            long position = 1000 + (i * 160) + (i == 25 ? 800 : 0); // the last after a 100 ms gap
            node.Input.Write(Tone(SampleRate.Hz8000, position, 160, 1000));
            await Poll.UntilAsync(() => sink.Items.Count == i + 1, $"{i + 1} frames");
        }

        var frames = sink.Items.ToArray();
        Assert.All(frames, f => Assert.Equal(SampleRate.Hz16000, f.SampleRate));
        Assert.Equal(2000, frames[0].Position);
        Assert.Equal(frames[0].Position + frames[0].SampleCount, frames[1].Position); // contiguous
        long expectedAfterGap = frames[24].Position + frames[24].SampleCount + 1600;
        Assert.Equal(expectedAfterGap, frames[25].Position);
        var pcm = Concat(frames.Take(25));
        Assert.InRange(pcm.Length, 7900, 8100);
        Assert.InRange(AudioAnalysis.DominantFrequency(pcm.AsSpan(400), SampleRate.Hz16000), 990, 1010);
        await graph.StopAsync();
    }

    [Fact]
    public async Task A_rate_change_in_the_input_continues_the_output_timeline()
    {
        var (graph, node, sink) = await StartAsync(SampleRate.Hz16000);
        node.Input.Write(Tone(SampleRate.Hz8000, 0, 160, 1000));
        node.Input.Write(Tone(SampleRate.Hz16000, 160, 320, 1000)); // the decoder's positions just continue after a codec change
        await Poll.UntilAsync(() => sink.Items.Count == 2, "2 frames");
        var frames = sink.Items.ToArray();
        Assert.Equal(frames[0].Position + frames[0].SampleCount, frames[1].Position);
        Assert.Equal(320, frames[1].SampleCount);
        await graph.StopAsync();
    }

    [Fact]
    public async Task A_new_target_rate_and_stereo_apply_from_the_next_frame()
    {
        var (graph, node, sink) = await StartAsync(SampleRate.Hz8000);
        node.Input.Write(Tone(SampleRate.Hz8000, 0, 160, 500));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "1 frame");
        node.TargetRate = SampleRate.Hz48000;
        node.TargetChannels = 2;
        for (int i = 1; i <= 10; i++)
        {
            node.Input.Write(Tone(SampleRate.Hz8000, i * 160, 160, 500));
            await Poll.UntilAsync(() => sink.Items.Count == i + 1, $"{i + 1} frames");
        }

        var later = sink.Items.Skip(1).ToArray();
        Assert.All(later, f => Assert.Equal(SampleRate.Hz48000, f.SampleRate));
        Assert.All(later, f => Assert.Equal(2, f.Channels));
        var left = later.SelectMany(f => f.Samples.ToArray().Where((_, i) => i % 2 == 0)).ToArray();
        Assert.InRange(AudioAnalysis.DominantFrequency(left.AsSpan(1000), SampleRate.Hz48000), 495, 505);
        Assert.Throws<ArgumentOutOfRangeException>(() => node.TargetChannels = 3);
        await graph.StopAsync();
    }

    [Fact]
    public async Task Stereo_input_is_downmixed_to_mono()
    {
        var (graph, node, sink) = await StartAsync(SampleRate.Hz48000);
        var f = AudioFrame.Rent(SampleRate.Hz48000, 4, 2);
        f.Samples[0] = 100;
        f.Samples[1] = 300;
        node.Input.Write(f);
        await Poll.UntilAsync(() => sink.Items.Count == 1, "1 frame");
        var mono = sink.Items.Single();
        Assert.Equal(1, mono.Channels);
        Assert.Equal(200, mono.Samples[0]);
        await graph.StopAsync();
    }
}
