using Pipeline.Codecs.G711;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

/// <summary>Runs alone: frames come from process-wide pools, and tests running alongside would make
/// the pools grow (allocating) under this thread's measurement.</summary>
[CollectionDefinition(nameof(SteadyStateAllocationTests), DisableParallelization = true)]
[Collection(nameof(SteadyStateAllocationTests))]
public class SteadyStateAllocationTests
{
    [Fact]
    public void Encoder_node_allocates_nothing_per_frame_in_steady_state()
    {
        // Output left unconnected: each packet goes straight back to its pool.
        var node = new AudioEncoderNode("enc", new MuLawEncoder(), 0, TimeSpan.FromMilliseconds(20));
        long position = 0;
        void One()
        {
            var f = AudioFrame.Rent(SampleRate.Hz8000, 80);
            f.Samples.Fill(1234);
            f.Position = position;
            position += 80;
            node.Process(f);
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One();
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(position / 160, node.PacketsEncoded);
    }

    [Theory]
    [InlineData(8000, 16000, 1)]  // PCMU call, G.722 codec
    [InlineData(48000, 8000, 1)]  // Opus decoded at 48 kHz on an 8 kHz call
    [InlineData(16000, 16000, 2)] // same rate, stereo encoder: duplicate
    [InlineData(8000, 8000, 1)]   // pass-through
    public void Rate_adapter_allocates_nothing_per_frame_in_steady_state(int inRate, int outRate, int channels)
    {
        var node = new AudioRateAdapterNode("rate", new SampleRate(outRate)) { TargetChannels = channels };
        var rate = new SampleRate(inRate);
        int samples = rate.SamplesIn(TimeSpan.FromMilliseconds(20));
        long position = 0;
        void One()
        {
            var f = AudioFrame.Rent(rate, samples);
            f.Samples.Fill(1234);
            f.Position = position;
            position += samples;
            node.Process(f);
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One();
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Decoder_node_allocates_nothing_per_frame_in_steady_state()
    {
        var node = new AudioDecoderNode("dec", 8, new ALawDecoder());
        uint ts = 0;
        void One(bool lost)
        {
            var p = EncodedFrame.Rent(lost ? 0 : 160);
            p.Payload.Fill(0xD5);
            p.PayloadType = 8;
            p.IsLost = lost;
            p.Timestamp = new RtpTimestamp(ts);
            p.DurationUnits = 160;
            ts += 160;
            node.Process(p);
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One(i % 10 == 0);
        });
        long decodedBefore = node.FramesDecoded;
        long concealedBefore = node.FramesConcealed;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One(i % 10 == 0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(900, node.FramesDecoded - decodedBefore);
        Assert.Equal(100, node.FramesConcealed - concealedBefore);
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
