using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

public class SourceNodeTests : TempDirTest
{
    private static async Task<AudioFrame[]> RunAsync(AudioSourceNode source, int ticks, int expectedFrames, TimeSpan? period = null)
    {
        var clock = new MediaClock(period ?? TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        graph.Add(source);
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(source.Output, sink.Input);
        graph.Start();
        clock.Advance(ticks);
        await Poll.UntilAsync(() => sink.Items.Count >= expectedFrames, $"{expectedFrames} frames");
        await Task.Delay(10);
        await graph.StopAsync();
        return [.. sink.Items];
    }

    [Fact]
    public async Task Tone_is_phase_continuous_across_ticks_with_running_positions()
    {
        var frames = await RunAsync(new ToneSourceNode("tone", 1000, 0.5, SampleRate.Hz8000), 5, 5);
        Assert.Equal(5, frames.Length);
        Assert.Equal([0L, 160, 320, 480, 640], frames.Select(f => f.Position));
        Assert.All(frames, f => Assert.Equal(160, f.SampleCount));
        var all = frames.SelectMany(f => f.Samples.ToArray()).ToArray();
        for (int i = 0; i < all.Length; i++)
        {
            double expected = 0.5 * short.MaxValue * Math.Sin(2 * Math.PI * 1000 * i / 8000.0);
            Assert.True(Math.Abs(all[i] - expected) <= 1, $"sample {i}: {all[i]} vs {expected:F1}");
        }
    }

    [Fact]
    public async Task Source_carries_the_remainder_when_a_tick_is_not_a_whole_number_of_samples()
    {
        // 11025 Hz at 10 ms is 110.25 samples per tick.
        var frames = await RunAsync(new SilenceSourceNode("silence", new SampleRate(11025)), 8, 8, TimeSpan.FromMilliseconds(10));
        Assert.Equal([110, 110, 110, 111, 110, 110, 110, 111], frames.Select(f => f.SampleCount));
        Assert.Equal(882, frames.Sum(f => f.SampleCount));
        long expected = 0;
        foreach (var f in frames)
        {
            Assert.Equal(expected, f.Position);
            expected += f.SampleCount;
            Assert.All(f.Samples.ToArray(), s => Assert.Equal(0, s));
        }
    }

    [Fact]
    public async Task Stereo_tone_puts_the_tone_on_both_channels()
    {
        var frames = await RunAsync(new ToneSourceNode("tone", 440, 0.25, SampleRate.Hz48000, channels: 2), 1, 1);
        var f = Assert.Single(frames);
        Assert.Equal(2, f.Channels);
        Assert.Equal(960, f.SampleCount);
        for (int i = 0; i < 960; i++) Assert.Equal(f.Samples[2 * i], f.Samples[2 * i + 1]);
        Assert.NotEqual(0, f.Samples[2 * 10]);
    }

    [Fact]
    public void Tone_rejects_frequency_above_nyquist_and_bad_amplitude()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneSourceNode("t", 4000, 0.5, SampleRate.Hz8000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneSourceNode("t", 1000, 1.5, SampleRate.Hz8000));
    }

    private string File400(int channels = 1)
    {
        var path = PathOf($"in{channels}.wav");
        var samples = new short[400 * channels];
        for (int i = 0; i < 400; i++)
        {
            for (int c = 0; c < channels; c++) samples[i * channels + c] = (short)(i + 1 + c * 1000);
        }

        WavFile.WriteAll(path, new WavFormat(SampleRate.Hz8000, channels), samples);
        return path;
    }

    [Fact]
    public async Task Wav_source_emits_one_tick_of_file_audio_then_silence()
    {
        var node = new WavFileSourceNode("wav", File400());
        var frames = await RunAsync(node, 4, 4);
        Assert.Equal(4, frames.Length);
        var all = frames.SelectMany(f => f.Samples.ToArray()).ToArray();
        for (int i = 0; i < 400; i++) Assert.Equal(i + 1, all[i]);
        Assert.All(all[400..], s => Assert.Equal(0, s));
        Assert.Equal([0L, 160, 320, 480], frames.Select(f => f.Position));
        Assert.True(node.Ended.IsCompleted);
    }

    [Fact]
    public async Task Wav_source_loops_seamlessly()
    {
        var frames = await RunAsync(new WavFileSourceNode("wav", File400(), WavEndBehavior.Loop), 6, 6);
        var all = frames.SelectMany(f => f.Samples.ToArray()).ToArray();
        Assert.Equal(960, all.Length);
        for (int i = 0; i < all.Length; i++) Assert.Equal(i % 400 + 1, all[i]);
    }

    [Fact]
    public async Task Wav_source_stops_after_the_padded_last_frame()
    {
        var node = new WavFileSourceNode("wav", File400(), WavEndBehavior.Stop);
        var frames = await RunAsync(node, 6, 3);
        Assert.Equal(3, frames.Length);
        Assert.Equal(80, Array.IndexOf(frames[2].Samples.ToArray(), (short)0));
        Assert.True(node.Ended.IsCompleted);
    }

    [Fact]
    public async Task Wav_source_passes_stereo_or_downmixes_it()
    {
        var path = File400(channels: 2);
        var stereo = await RunAsync(new WavFileSourceNode("wav", path), 1, 1);
        Assert.Equal(2, stereo[0].Channels);
        Assert.Equal([1, 1001, 2, 1002], stereo[0].Samples[..4].ToArray().Select(s => (int)s));

        var mono = await RunAsync(new WavFileSourceNode("wav", path, downmixToMono: true), 1, 1);
        Assert.Equal(1, mono[0].Channels);
        Assert.Equal([501, 502], mono[0].Samples[..2].ToArray().Select(s => (int)s));
    }

    [Fact]
    public async Task Wav_source_emits_at_the_file_rate()
    {
        var path = PathOf("16k.wav");
        WavFile.WriteAll(path, new WavFormat(SampleRate.Hz16000, 1), new short[16000]);
        var frames = await RunAsync(new WavFileSourceNode("wav", path), 1, 1);
        Assert.Equal(SampleRate.Hz16000, frames[0].SampleRate);
        Assert.Equal(320, frames[0].SampleCount);
    }

    [Fact]
    public void Wav_source_refuses_a_non_pcm_file_when_built()
    {
        var path = PathOf("float.wav");
        var bytes = new byte[44 + 8];
        "RIFF"u8.CopyTo(bytes);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        bytes[16] = 16;
        bytes[20] = 3; // IEEE float
        bytes[22] = 1;
        BitConverter.GetBytes(8000).CopyTo(bytes, 24);
        bytes[34] = 32;
        "data"u8.CopyTo(bytes.AsSpan(36));
        bytes[40] = 8;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<NotSupportedException>(() => new WavFileSourceNode("wav", path));
        Assert.Contains("IEEE float", ex.Message);
    }
}
