using Pipeline.Core.Media;
using Pipeline.Devices;
using Pipeline.Sip.Media;

namespace Pipeline.Interop.Tests.Media;

/// <summary>Calls between two real endpoints over UDP on 127.0.0.1, through the whole media graph.</summary>
public sealed class CallMediaTests
{
    private static short[] Channel(string path, int channel, out SampleRate rate)
    {
        var (format, samples) = WavFile.ReadAll(path);
        rate = format.SampleRate;
        var r = new short[samples.Length / format.Channels];
        for (int i = 0; i < r.Length; i++) r[i] = samples[(i * format.Channels) + channel];
        return r;
    }

    private static ReadOnlySpan<short> Middle(short[] x, SampleRate rate)
    {
        int edge = Math.Min(x.Length / 4, rate.Hertz / 4);
        return x.AsSpan(edge, x.Length - (2 * edge));
    }

    [Fact]
    public async Task Call_carries_each_sides_tone_to_the_other_and_records_both_directions()
    {
        await using var f = await MediaCallFixture.StartAsync(aliceToneHz: 600, bobToneHz: 1000);
        var call = await f.Alice.CallAsync($"sip:bob@{f.Bob.LocalEndPoint}").WaitAsync(TimeSpan.FromSeconds(10));
        var incoming = await f.BobIncoming.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("PCMU", call.CurrentMedia!.Codec.Name);
        await Task.Delay(2000);
        await call.HangupAsync();
        await incoming.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        var aliceRx = Channel(f.AliceRecording(call), 0, out var rate);
        var aliceTx = Channel(f.AliceRecording(call), 1, out _);
        var bobRx = Channel(f.BobRecording(incoming), 0, out _);
        Assert.True(aliceRx.Length > rate.Hertz, $"alice's recording holds only {aliceRx.Length} samples");
        Assert.InRange(AudioAnalysis.DominantFrequency(Middle(aliceRx, rate), rate), 980, 1020);
        Assert.InRange(AudioAnalysis.DominantFrequency(Middle(aliceTx, rate), rate), 580, 620);
        Assert.InRange(AudioAnalysis.DominantFrequency(Middle(bobRx, rate), rate), 580, 620);
        var playout = ((CallMediaController)incoming.Media).Playout ?? throw new Xunit.Sdk.XunitException("bob has no playout statistics");
        Assert.True(playout.Concealed <= playout.Played / 20, $"bob concealed {playout.Concealed} of {playout.Played} frames on loopback");
        if (playout.Concealed == 0)
        {
            Assert.True(AudioAnalysis.ToneSnrDb(Middle(bobRx, rate), rate, 600) > 30, "the tone bob received is distorted although no frame was concealed");
        }

        var s = call.Media.Statistics;
        Assert.InRange(s.PacketsSent, 80, 140);
        Assert.InRange(s.PacketsReceived, 80, 140);
        Assert.Equal(0, s.PacketsLost);
    }

    [Fact]
    public async Task Hold_reinvite_stops_sending_rtp_and_resume_restarts_it_with_the_same_ssrc()
    {
        await using var f = await MediaCallFixture.StartAsync(aliceToneHz: 600, bobToneHz: 1000);
        var call = await f.Alice.CallAsync($"sip:bob@{f.Bob.LocalEndPoint}").WaitAsync(TimeSpan.FromSeconds(10));
        var incoming = await f.BobIncoming.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(500);
        var bobMedia = (CallMediaController)incoming.Media;
        uint ssrcBefore = bobMedia.RtpStatistics.LocalSsrc;

        // Alice holds: she offers sendonly, so Bob answers recvonly and must stop sending.
        await call.RenegotiateAsync(MediaDirection.SendOnly).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MediaDirection.RecvOnly, incoming.CurrentMedia!.Direction);
        await Task.Delay(200);
        long bobSentAtHold = bobMedia.Statistics.PacketsSent;
        long bobReceivedAtHold = bobMedia.Statistics.PacketsReceived;
        await Task.Delay(1000);
        Assert.InRange(bobMedia.Statistics.PacketsSent - bobSentAtHold, 0, 2);
        Assert.True(bobMedia.Statistics.PacketsReceived - bobReceivedAtHold > 30, "bob should still receive alice's audio while she holds (sendonly)");

        // Retrieve: sendrecv again; Bob sends again from the same RTP session.
        await call.RenegotiateAsync(MediaDirection.SendRecv).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MediaDirection.SendRecv, incoming.CurrentMedia!.Direction);
        long bobSentAtResume = bobMedia.Statistics.PacketsSent;
        await Task.Delay(1000);
        Assert.True(bobMedia.Statistics.PacketsSent - bobSentAtResume > 30, "bob did not resume sending");
        Assert.Equal(ssrcBefore, bobMedia.RtpStatistics.LocalSsrc);
        Assert.Equal(ssrcBefore, ((CallMediaController)call.Media).RtpStatistics.RemoteSsrc);
        await call.HangupAsync();
    }

    [Fact]
    public async Task Received_audio_tap_delivers_frames_and_a_throwing_observer_does_not_break_the_call()
    {
        await using var f = await MediaCallFixture.StartAsync(aliceToneHz: 600, bobToneHz: 1000);
        var call = await f.Alice.CallAsync($"sip:bob@{f.Bob.LocalEndPoint}").WaitAsync(TimeSpan.FromSeconds(10));
        var media = (CallMediaController)call.Media;
        int good = 0;
        long samples = 0;
        var errors = new List<Exception>();
        using var bad = media.ReceivedAudio.Subscribe(new Observer(_ => throw new InvalidOperationException("observer bug"), errors.Add));
        using var ok = media.ReceivedAudio.Subscribe(new Observer(
            frame =>
            {
                Interlocked.Increment(ref good);
                Interlocked.Add(ref samples, frame.SampleCount);
            },
            _ => { }));
        await Task.Delay(1500);
        await call.HangupAsync();
        Assert.True(good > 50, $"the tap delivered {good} frames in 1.5 s");
        Assert.Single(errors);
        Assert.IsType<InvalidOperationException>(errors[0]);
        Assert.True(media.Statistics.PacketsReceived > 50);
    }

    private sealed class Observer(Action<AudioFrame> next, Action<Exception> error) : IObserver<AudioFrame>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception e) => error(e);

        public void OnNext(AudioFrame value) => next(value);
    }
}
