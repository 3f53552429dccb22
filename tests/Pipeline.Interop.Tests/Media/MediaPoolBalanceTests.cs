using System.Net;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Pipeline.Sip.Media;

namespace Pipeline.Interop.Tests.Media;

[CollectionDefinition(nameof(MediaPoolBalanceTests), DisableParallelization = true)]
public sealed class MediaPoolBalanceCollection
{
}

/// <summary>Every frame a call rents comes back to its pool by the time the call's media is disposed
/// (the pools are process-wide, so these tests run alone).</summary>
[Collection(nameof(MediaPoolBalanceTests))]
public sealed class MediaPoolBalanceTests
{
    private static CallMediaController Create(MediaClock clock, string id, string? recordDir) => new(id, new CallMediaOptions
    {
        Clock = clock,
        RtcpInterval = TimeSpan.FromMilliseconds(200),
        Source = ctx =>
        {
            var tone = new ToneSourceNode("tone", 440, 0.3, ctx.SampleRate);
            return new AudioSourceBinding(tone, tone.Output);
        },
        Recorder = recordDir is null ? null : ctx =>
        {
            var r = new StereoRecorderNode("recorder", Path.Combine(recordDir, id + ".wav"), ctx.SampleRate);
            return new CallRecorderBinding(r, r.Left, r.Right);
        },
    });

    private static NegotiatedMedia Media(IPEndPoint remote)
    {
        var pcmu = new NegotiatedCodec("PCMU", 0, 8000);
        return new NegotiatedMedia(pcmu, [pcmu], 101, remote, null, MediaDirection.SendRecv, TimeSpan.FromMilliseconds(20));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task A_call_returns_every_frame_it_rented_to_the_pools(bool record, bool observe)
    {
        string dir = Path.Combine(Path.GetTempPath(), "pipeline-pool-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await using var clock = new MediaClock(TimeSpan.FromMilliseconds(20));
        clock.Start();
        long encRented = EncodedFrame.SharedPool.Rented, encReturned = EncodedFrame.SharedPool.Returned;
        long audRented = AudioFrame.SharedPool.Rented, audReturned = AudioFrame.SharedPool.Returned;
        try
        {
            var a = Create(clock, "a", record ? dir : null);
            var b = Create(clock, "b", record ? dir : null);
            int observed = 0;
            using var sub = observe ? b.ReceivedAudio.Subscribe(new CountingObserver(() => Interlocked.Increment(ref observed))) : null;
            await a.ApplyAsync(Media(b.LocalRtpEndPoint));
            await b.ApplyAsync(Media(a.LocalRtpEndPoint));
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (b.Statistics.PacketsReceived < 40 && sw.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50);
            Assert.True(b.Statistics.PacketsReceived >= 40, $"b received only {b.Statistics.PacketsReceived} packets (a sent {a.Statistics.PacketsSent}) in {sw.ElapsedMilliseconds} ms; clock ticks {clock.TickCount}");
            if (observe) Assert.True(Volatile.Read(ref observed) > 10, $"the tap delivered only {observed} frames");
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        // Loops and tap pumps end asynchronously: give stragglers a moment.
        long encOut = 0, audOut = 0;
        for (int i = 0; i < 50; i++)
        {
            encOut = (EncodedFrame.SharedPool.Rented - encRented) - (EncodedFrame.SharedPool.Returned - encReturned);
            audOut = (AudioFrame.SharedPool.Rented - audRented) - (AudioFrame.SharedPool.Returned - audReturned);
            if (encOut == 0 && audOut == 0) break;
            await Task.Delay(20);
        }

        Assert.True(EncodedFrame.SharedPool.Rented - encRented > 80, "the call rented too few encoded frames to say anything");
        Assert.Equal(0, encOut);
        Assert.Equal(0, audOut);
    }

    private sealed class CountingObserver(Action onNext) : IObserver<AudioFrame>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(AudioFrame value) => onNext();
    }
}
