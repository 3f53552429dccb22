using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

/// <summary>Runs alone: frames come from process-wide pools, and tests running alongside would make
/// the pools grow (allocating) under this thread's measurement.</summary>
[CollectionDefinition(nameof(SteadyStateAllocationTests), DisableParallelization = true)]
[Collection(nameof(SteadyStateAllocationTests))]
public class SteadyStateAllocationTests : TempDirTest
{
    [Fact]
    public void Sources_allocate_nothing_per_tick()
    {
        var path = PathOf("loop.wav");
        WavFile.WriteAll(path, new WavFormat(SampleRate.Hz8000, 1), new short[1000]);
        IClockDriven[] sources =
        [
            new ToneSourceNode("tone", 1000, 0.5, SampleRate.Hz8000),
            new SilenceSourceNode("silence", SampleRate.Hz16000),
            new WavFileSourceNode("wav", path, WavEndBehavior.Loop),
        ];

        // Outputs unconnected: each frame goes straight back to its pool.
        var tick = new MediaTick(0, TimeSpan.FromMilliseconds(20));
        // Warm up until a whole round allocates nothing: the shared frame pool may still hold frames
        // with smaller buffers from earlier tests, each grown once when it comes round (FIFO).
        Steady.WarmUp(() =>
        {
            foreach (var s in sources)
            {
                for (int i = 0; i < 50; i++) s.OnTick(tick);
            }
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var s in sources)
        {
            for (int i = 0; i < 500; i++) s.OnTick(tick);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, ((AudioSourceNode)sources[0]).Position % 160);
    }

    [Fact]
    public async Task Sink_and_recorder_allocate_nothing_per_frame_in_steady_state()
    {
        var sink = new WavFileSinkNode("sink", PathOf("s.wav"), SampleRate.Hz8000);
        var rec = new StereoRecorderNode("rec", PathOf("r.wav"), SampleRate.Hz8000);
        sink.Open();
        rec.Open();
        long position = 0;
        void One()
        {
            sink.Write(Frame(position));
            rec.TakeLeft(Frame(position));
            rec.TakeRight(Frame(position));
            position += 160;
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 50; i++) One();
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        await sink.DisposeAsync();
        await rec.DisposeAsync();
        Assert.Equal(position, WavFile.ReadInfo(PathOf("s.wav")).SampleCount);
        Assert.Equal(position, WavFile.ReadInfo(PathOf("r.wav")).SampleCount);
    }

    private static AudioFrame Frame(long position)
    {
        var f = AudioFrame.Rent(SampleRate.Hz8000, 160);
        f.Samples.Fill(100);
        f.Position = position;
        return f;
    }
}

internal static class Steady
{
    /// <summary>Primes the process-wide frame pool, then runs <paramref name="round"/> until one run allocates
    /// nothing (at most 500 runs). Priming matters: the pool hands frames out first-in first-out and may
    /// still hold frames with small buffers from earlier tests, each of which would grow once when its turn came.</summary>
    public static void WarmUp(Action round)
    {
        var primed = new Pipeline.Core.Media.AudioFrame[5000];
        for (int i = 0; i < primed.Length; i++) primed[i] = Pipeline.Core.Media.AudioFrame.Rent(Pipeline.Core.Media.SampleRate.Hz16000, 320);
        foreach (var f in primed) f.Dispose();
        for (int i = 0; i < 500; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            if (GC.GetAllocatedBytesForCurrentThread() == before) return;
        }
    }
}
