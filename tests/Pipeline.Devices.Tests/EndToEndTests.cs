using Pipeline.Codecs;
using Pipeline.Codecs.G711;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;

namespace Pipeline.Devices.Tests;

public class EndToEndTests : TempDirTest
{
    private static async Task TickAsync(MediaClock clock, int ticks, Func<long> progress, long perTick)
    {
        // Node loops run on the thread pool: after each tick wait for the frame to come out the far end,
        // so that no real-time edge overflows while the manual clock races ahead.
        for (int k = 1; k <= ticks; k++)
        {
            clock.Advance();
            long expected = k * perTick;
            await Poll.UntilAsync(() => progress() >= expected, $"tick {k} to reach the sink");
        }
    }

    [Theory]
    [InlineData("PCMU")]
    [InlineData("PCMA")]
    public async Task Tone_through_encoder_and_decoder_reaches_the_wav_as_a_clean_1kHz_tone(string codec)
    {
        var registry = CodecRegistry.CreateDefault();
        var info = registry.Get(codec);
        var path = PathOf("e2e.wav");
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var tone = graph.Add(new ToneSourceNode("tone", 1000, 0.5, SampleRate.Hz8000));
        var enc = graph.Add(new AudioEncoderNode("enc", registry.CreateEncoder(codec), info.StaticPayloadType!.Value));
        var dec = graph.Add(new AudioDecoderNode("dec", info.StaticPayloadType!.Value, registry.CreateDecoder(codec)));
        var sink = graph.Add(new WavFileSinkNode("wav", path, SampleRate.Hz8000));
        graph.Connect(tone.Output, enc.Input);
        graph.Connect(enc.Output, dec.Input);
        graph.Connect(dec.Output, sink.Input);
        graph.Start();
        await TickAsync(clock, 50, () => sink.SamplesWritten, 160);
        await graph.StopAsync();

        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(new WavFormat(SampleRate.Hz8000, 1), format);
        Assert.Equal(8000, samples.Length);
        Assert.Equal(1000, AudioAnalysis.DominantFrequency(samples, SampleRate.Hz8000), 0);
        double snr = AudioAnalysis.ToneSnrDb(samples, SampleRate.Hz8000, 1000);
        Assert.True(snr > 30, $"{codec} tone SNR {snr:F1} dB, expected > 30 dB (G.711 gives about 35-38 dB)");
        Assert.True(snr < 60, $"SNR {snr:F1} dB is too good for G.711: was the codec bypassed?");
        Assert.Equal(-9.0, AudioAnalysis.ToneDbfs(samples, SampleRate.Hz8000, 1000), 0);
        Assert.Equal(50, enc.PacketsEncoded);
        Assert.Equal(50, dec.FramesDecoded);
    }

    [Fact]
    public async Task Stereo_recording_of_a_call_keeps_sent_and_received_aligned()
    {
        // tone ──► tee ──out0──► encoder ──► decoder ──► recorder.left  (received: went through G.711)
        //              └─out1──────────────────────────► recorder.right (sent)
        var path = PathOf("call.wav");
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var tone = graph.Add(new ToneSourceNode("tone", 440, 0.4, SampleRate.Hz8000));
        var tee = graph.Add(new TeeNode<AudioFrame>("tee"));
        var enc = graph.Add(new AudioEncoderNode("enc", new ALawEncoder(), 8));
        var dec = graph.Add(new AudioDecoderNode("dec", 8, new ALawDecoder()));
        var rec = graph.Add(new StereoRecorderNode("rec", path, SampleRate.Hz8000));
        graph.Connect(tone.Output, tee.Input);
        graph.Connect(tee.Outputs[0], enc.Input);
        graph.Connect(enc.Output, dec.Input);
        graph.Connect(dec.Output, rec.Left);
        graph.Connect(tee.Outputs[1], rec.Right);
        graph.Start();
        await TickAsync(clock, 25, () => rec.SamplesWritten, 160);
        await graph.StopAsync();

        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(2, format.Channels);
        var left = samples.Where((_, i) => i % 2 == 0).ToArray();
        var right = samples.Where((_, i) => i % 2 == 1).ToArray();
        Assert.Equal(4000, left.Length);
        var (lag, r) = AudioAnalysis.BestLag(right, left, 80);
        Assert.Equal(0, lag);
        Assert.True(r > 0.999, $"correlation {r}");
        var coded = new byte[right.Length];
        var expected = new short[right.Length];
        new ALawEncoder().Encode(right, coded);
        new ALawDecoder().Decode(coded, expected);
        Assert.Equal(expected, left);
    }
}
