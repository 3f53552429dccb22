using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

public class SinkNodeTests : TempDirTest
{
    private static MediaGraph NewGraph() => new(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));

    [Fact]
    public async Task Wav_sink_writes_every_frame_queued_before_stop()
    {
        var path = PathOf("sink.wav");
        var graph = NewGraph();
        var sink = graph.Add(new WavFileSinkNode("sink", path, SampleRate.Hz8000));
        graph.Start();
        for (int k = 0; k < 200; k++) sink.Input.Write(Frames.Mono(k * 160, 160, i => (short)(k * 160 + i)));
        await graph.StopAsync(); // at once: frames are still queued

        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(new WavFormat(SampleRate.Hz8000, 1), format);
        Assert.Equal(200 * 160, samples.Length);
        for (int i = 0; i < samples.Length; i++) Assert.Equal((short)i, samples[i]);
    }

    [Fact]
    public async Task Wav_sink_fills_position_gaps_with_silence_and_downmixes_stereo()
    {
        var path = PathOf("gaps.wav");
        var graph = NewGraph();
        var sink = graph.Add(new WavFileSinkNode("sink", path, SampleRate.Hz8000));
        graph.Start();
        sink.Input.Write(Frames.Mono(0, 160, _ => 100));
        sink.Input.Write(Frames.Mono(480, 160, _ => 200)); // 320 samples missing
        var stereo = AudioFrame.Rent(SampleRate.Hz8000, 160, 2);
        for (int i = 0; i < 160; i++)
        {
            stereo.Samples[2 * i] = 1000;
            stereo.Samples[2 * i + 1] = 3000;
        }

        stereo.Position = 640;
        sink.Input.Write(stereo);
        sink.Input.Write(Frames.Mono(0, 10, _ => 7, SampleRate.Hz16000)); // wrong rate
        await Poll.UntilAsync(() => sink.FramesRejected == 1, "rejected frame");
        await graph.StopAsync();

        var (_, samples) = WavFile.ReadAll(path);
        Assert.Equal(800, samples.Length);
        Assert.All(samples[..160], s => Assert.Equal(100, s));
        Assert.All(samples[160..480], s => Assert.Equal(0, s));
        Assert.All(samples[480..640], s => Assert.Equal(200, s));
        Assert.All(samples[640..], s => Assert.Equal(2000, s));
        Assert.Equal(800, sink.SamplesWritten);
    }

    [Fact]
    public async Task Stereo_recorder_aligns_sides_by_position_whatever_the_arrival_order()
    {
        var path = PathOf("call.wav");
        var graph = NewGraph();
        var rec = graph.Add(new StereoRecorderNode("rec", path, SampleRate.Hz8000));
        graph.Start();

        // Sent side runs ahead by three frames, then the received side catches up.
        for (int k = 0; k < 3; k++) rec.Right.Write(Frames.Mono(k * 160, 160, i => (short)(-(k * 160 + i))));
        for (int k = 0; k < 5; k++) rec.Left.Write(Frames.Mono(k * 160, 160, i => (short)(k * 160 + i)));
        for (int k = 3; k < 5; k++) rec.Right.Write(Frames.Mono(k * 160, 160, i => (short)(-(k * 160 + i))));
        await graph.StopAsync();

        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(2, format.Channels);
        Assert.Equal(800 * 2, samples.Length);
        for (int i = 0; i < 800; i++)
        {
            Assert.Equal((short)i, samples[2 * i]);
            Assert.Equal((short)-i, samples[2 * i + 1]);
        }
    }

    [Fact]
    public async Task Stereo_recorder_writes_silence_for_a_side_that_never_speaks_and_loses_nothing()
    {
        var path = PathOf("oneway.wav");
        var graph = NewGraph();
        var rec = graph.Add(new StereoRecorderNode("rec", path, SampleRate.Hz8000) { MaxSkew = TimeSpan.FromMilliseconds(200) });
        graph.Start();
        for (int k = 0; k < 50; k++) rec.Right.Write(Frames.Mono(k * 160, 160, _ => 500)); // 1 s sent, nothing received

        // Writing must not wait for the silent side beyond MaxSkew.
        await Poll.UntilAsync(() => rec.SamplesWritten >= 8000 - 1600, "writing to proceed without the left side");
        Assert.True(rec.SamplesWritten <= 8000 - 1600 + 160);

        // A late received frame for a stretch already written is appended, not dropped.
        rec.Left.Write(Frames.Mono(0, 160, _ => 42));
        await graph.StopAsync();

        var (_, samples) = WavFile.ReadAll(path);
        int frames = samples.Length / 2;
        Assert.Equal(8000, frames);
        int right = 0, leftSilent = 0, late = 0;
        for (int i = 0; i < frames; i++)
        {
            if (samples[2 * i + 1] == 500) right++;
            if (samples[2 * i] == 0) leftSilent++;
            if (samples[2 * i] == 42) late++;
        }

        Assert.Equal(8000, right);
        Assert.Equal(160, late);
        Assert.Equal(8000 - 160, leftSilent);
    }

    [Fact]
    public async Task Stereo_recorder_fills_gaps_and_pads_the_shorter_side_at_stop()
    {
        var path = PathOf("gaps.wav");
        var graph = NewGraph();
        var rec = graph.Add(new StereoRecorderNode("rec", path, SampleRate.Hz8000) { Origin = 1000 });
        graph.Start();
        rec.Left.Write(Frames.Mono(1000, 160, _ => 1));
        rec.Left.Write(Frames.Mono(1000 + 480, 160, _ => 2)); // gap of 320
        rec.Right.Write(Frames.Mono(1000 + 160, 160, _ => 3)); // starts one frame late
        await graph.StopAsync();

        var (_, samples) = WavFile.ReadAll(path);
        Assert.Equal(640 * 2, samples.Length);
        short L(int i) => samples[2 * i];
        short R(int i) => samples[2 * i + 1];
        Assert.Equal(1, L(0));
        Assert.Equal(0, L(200));
        Assert.Equal(2, L(500));
        Assert.Equal(0, R(0));
        Assert.Equal(3, R(200));
        Assert.Equal(0, R(500)); // padded at stop
    }

    [Fact]
    public async Task Stereo_recorder_keeps_everything_queued_when_stopped()
    {
        var path = PathOf("burst.wav");
        var graph = NewGraph();
        var rec = graph.Add(new StereoRecorderNode("rec", path, SampleRate.Hz8000));
        graph.Start();
        for (int k = 0; k < 300; k++)
        {
            rec.Left.Write(Frames.Mono(k * 160, 160, _ => 1));
            rec.Right.Write(Frames.Mono(k * 160, 160, _ => 2));
        }

        await graph.StopAsync();
        var (_, samples) = WavFile.ReadAll(path);
        Assert.Equal(300 * 160 * 2, samples.Length);
        Assert.All(samples.Where((_, i) => i % 2 == 0), s => Assert.Equal(1, s));
        Assert.All(samples.Where((_, i) => i % 2 == 1), s => Assert.Equal(2, s));
    }

    [Fact]
    public async Task Sinks_that_never_ran_can_be_disposed_without_creating_files()
    {
        var sink = new WavFileSinkNode("s", PathOf("never.wav"), SampleRate.Hz8000);
        var rec = new StereoRecorderNode("r", PathOf("never2.wav"), SampleRate.Hz8000);
        await sink.DisposeAsync();
        await rec.DisposeAsync();
        Assert.False(File.Exists(PathOf("never.wav")));
        Assert.False(File.Exists(PathOf("never2.wav")));
    }
}
