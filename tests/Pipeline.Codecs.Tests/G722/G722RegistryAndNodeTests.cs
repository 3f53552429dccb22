using Pipeline.Codecs.G722;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.G722;

public class G722RegistryAndNodeTests
{
    [Fact]
    public void Default_registry_has_G722_as_static_PT9_with_8kHz_rtp_clock_and_16kHz_audio()
    {
        var r = CodecRegistry.CreateDefault();
        var g722 = r.Get("g722");
        Assert.Equal("G722", g722.Name);
        Assert.Equal(9, g722.StaticPayloadType);
        Assert.Equal(new RtpClockRate(8000), g722.RtpClockRate);
        Assert.Equal(SampleRate.Hz16000, g722.SampleRate);
        Assert.Equal(1, g722.Channels);
        Assert.Equal(TimeSpan.FromMilliseconds(20), g722.DefaultPtime);
        Assert.True(r.TryGet("G722", new RtpClockRate(8000), out _));
        Assert.False(r.TryGet("G722", new RtpClockRate(16000), out _)); // rtpmap says G722/8000, never /16000
        Assert.True(r.TryGetByStaticPayloadType(9, out var byPt));
        Assert.Same(g722, byPt);
        Assert.IsType<G722Encoder>(r.CreateEncoder("G722"));
        Assert.IsType<G722Decoder>(r.CreateDecoder("G722"));
        Assert.Equal("G722/8000 (PT 9)", g722.ToString());
    }

    [Fact]
    public async Task Encoder_node_steps_the_timestamp_by_160_units_per_320_samples()
    {
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        var enc = graph.Add(new AudioEncoderNode("enc", new G722Encoder(), 9, TimeSpan.FromMilliseconds(20), new RtpTimestamp(1000)));
        var sink = graph.Add(new CollectorNode<EncodedFrame>());
        graph.Connect(enc.Output, sink.Input);
        graph.Start();
        var pcm = G722TestSignals.Tone(1000, 0.06, 0.3);
        for (int i = 0; i < 6; i++)
        {
            // 10 ms frames gathered into 20 ms packets.
            var f = AudioFrame.Rent(SampleRate.Hz16000, 160);
            pcm.AsSpan(i * 160, 160).CopyTo(f.Samples);
            f.Position = i * 160;
            enc.Input.Write(f);
        }

        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 packets");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([1000u, 1160u, 1320u], packets.Select(p => p.Timestamp.Value));
        Assert.All(packets, p => Assert.Equal(160u, p.DurationUnits));
        Assert.All(packets, p => Assert.Equal(160, p.Length));
        Assert.All(packets, p => Assert.Equal(9, p.PayloadType));

        var expected = new byte[480];
        new G722Encoder().Encode(pcm.AsSpan(0, 960), expected);
        Assert.Equal(expected, packets.SelectMany(p => p.Payload.ToArray()).ToArray());
        foreach (var p in packets) p.Dispose();
    }

    [Fact]
    public async Task Decoder_node_decodes_320_samples_per_packet_and_conceals_a_lost_one_on_the_16kHz_timeline()
    {
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        var node = graph.Add(new AudioDecoderNode("dec", 9, new G722Decoder()));
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(node.Output, sink.Input);
        graph.Start();
        var coded = new byte[480];
        new G722Encoder().Encode(G722TestSignals.Voiced(0.06), coded);
        for (int i = 0; i < 3; i++)
        {
            var p = EncodedFrame.Rent(i == 1 ? 0 : 160);
            if (i != 1) coded.AsSpan(i * 160, 160).CopyTo(p.Payload);
            p.PayloadType = 9;
            p.IsLost = i == 1;
            p.Timestamp = new RtpTimestamp((uint)(5000 + (i * 160)));
            p.DurationUnits = 160;
            node.Input.Write(p);
        }

        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 frames");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.All(frames, f => Assert.Equal(320, f.Samples.Length));
        Assert.All(frames, f => Assert.Equal(SampleRate.Hz16000, f.SampleRate));
        Assert.Equal([0L, 320L, 640L], frames.Select(f => f.Position));
        Assert.Equal([false, true, false], frames.Select(f => f.IsConcealment));
        Assert.Equal(1, node.FramesConcealed);
        Assert.True(G722Measure.Rms(frames[1].Samples) > 0, "the lost frame carries concealment audio");
        Assert.True(G722Measure.Rms(frames[2].Samples[160..]) > 0, "the second 10 ms of a decoded packet is audio too (Decode returns samples, not bytes)");
        foreach (var f in frames) f.Dispose();
    }

    [Fact]
    public async Task Decoder_node_plays_silence_for_a_lost_frame_length_that_Appendix_IV_cannot_conceal()
    {
        // 100 RTP units = 200 samples at 16 kHz: not whole 10 ms frames. The node keeps the timeline with silence and counts it.
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        var node = graph.Add(new AudioDecoderNode("dec", 9, new G722Decoder()));
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(node.Output, sink.Input);
        graph.Start();
        var coded = new byte[160];
        new G722Encoder().Encode(G722TestSignals.Voiced(0.02), coded);
        var good = EncodedFrame.Rent(160);
        coded.CopyTo(good.Payload);
        good.PayloadType = 9;
        good.Timestamp = new RtpTimestamp(0);
        good.DurationUnits = 160;
        node.Input.Write(good);
        var lost = EncodedFrame.Rent(0);
        lost.PayloadType = 9;
        lost.IsLost = true;
        lost.Timestamp = new RtpTimestamp(160);
        lost.DurationUnits = 100;
        node.Input.Write(lost);

        await Poll.UntilAsync(() => sink.Items.Count == 2, "2 frames");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.Equal(200, frames[1].Samples.Length);
        Assert.True(frames[1].IsConcealment);
        Assert.Equal(320L, frames[1].Position);
        Assert.All(frames[1].Samples.ToArray(), s => Assert.Equal(0, s));
        Assert.Equal(1, node.DecodeFailures);
        foreach (var f in frames) f.Dispose();
    }
}
