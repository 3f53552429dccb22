using Pipeline.Core.Media;
using Pipeline.Devices;
using Pipeline.Sip.Media;
using Xunit.Abstractions;

namespace Pipeline.Interop.Tests.Media;

/// <summary>Opus in-band FEC end to end: two endpoints over UDP on 127.0.0.1, alice's RTP through a relay that drops packets.</summary>
public sealed class OpusFecCallTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Opus_call_with_useinbandfec_rebuilds_packets_dropped_on_the_way_from_the_next_packets_fec()
    {
        await using var relay = new LossyRtpRelay(dropEvery: 5);
        await using var f = await MediaCallFixture.StartAsync(aliceToneHz: 600, bobToneHz: 1000, codecs: ["opus"], aliceMedia: relay.Wrap,
            aliceSource: ctx => new TalkingToneSourceNode("talking-tone", 600, 0.2, ctx.SampleRate));
        var call = await f.Alice.CallAsync($"sip:bob@{f.Bob.LocalEndPoint}").WaitAsync(TimeSpan.FromSeconds(10));
        var incoming = await f.BobIncoming.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("opus", incoming.CurrentMedia!.Codec.Name);
        Assert.Contains("useinbandfec=1", call.CurrentMedia!.Codec.Fmtp ?? "", StringComparison.Ordinal); // bob asks alice for FEC
        // Two seconds of call, longer if the machine was slow to get the media going: until 20 packets were dropped.
        var talk = System.Diagnostics.Stopwatch.StartNew();
        while (talk.Elapsed < TimeSpan.FromSeconds(2) || (relay.Dropped < 20 && talk.Elapsed < TimeSpan.FromSeconds(8)))
        {
            await Task.Delay(100);
        }

        var bob = incoming.Media.Statistics;
        var playout = ((CallMediaController)incoming.Media).Playout!.Value;
        await call.HangupAsync();
        await incoming.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"relay: {relay.Forwarded} forwarded, {relay.Dropped} dropped; bob: {bob.PacketsReceived} received, {bob.PacketsLost} lost, " +
            $"{bob.FecRecovered} rebuilt from FEC, {bob.FramesConcealed} concealed; jitter buffer {playout}");
        Assert.True(relay.Dropped >= 15, $"the relay dropped only {relay.Dropped} packets");
        Assert.True(bob.PacketsLost >= relay.Dropped - 2, $"bob saw {bob.PacketsLost} lost of {relay.Dropped} dropped");
        Assert.True(bob.FecRecovered > 0, "no lost frame was rebuilt from FEC");
        Assert.True(bob.FecRecovered >= relay.Dropped / 3, $"only {bob.FecRecovered} of {relay.Dropped} dropped frames rebuilt from FEC");

        // Bob hears alice's tone at the level she sent it (the speech-like part rides along).
        var received = Middle(f.BobRecording(incoming), 0, out var rate);
        var sent = Middle(f.AliceRecording(call), 1, out _);
        double frequency = AudioAnalysis.DominantFrequency(received, rate);
        double receivedDb = AudioAnalysis.ToneDbfs(received, rate, 600), sentDb = AudioAnalysis.ToneDbfs(sent, rate, 600);
        output.WriteLine($"bob's received tone: {frequency:F1} Hz at {receivedDb:F1} dBFS (alice sent {sentDb:F1} dBFS)");
        Assert.InRange(frequency, 588, 612);
        Assert.InRange(receivedDb, sentDb - 3, sentDb + 1);
    }

    /// <summary>One channel of a recording, from 0.1 s after the audio starts to 0.1 s before it ends (a recording also
    /// holds the silence before the first packet arrived and after the last).</summary>
    private static short[] Middle(string path, int channel, out SampleRate rate)
    {
        var (format, samples) = WavFile.ReadAll(path);
        rate = format.SampleRate;
        var x = new short[samples.Length / format.Channels];
        for (int i = 0; i < x.Length; i++) x[i] = samples[(i * format.Channels) + channel];
        int first = Array.FindIndex(x, v => Math.Abs((int)v) > 1000);
        int last = Array.FindLastIndex(x, v => Math.Abs((int)v) > 1000);
        int edge = rate.Hertz / 10;
        Assert.True(first >= 0 && last - first > 4 * edge, $"{path} channel {channel} holds too little audio");
        return x[(first + edge)..(last - edge)];
    }
}
