using Pipeline.Codecs.G729;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G729;

public sealed class G729AnnexBTests(ITestOutputHelper output)
{
    [RequiresBcg729Fact]
    public void Silence_between_talkspurts_becomes_sid_frames_and_nothing_and_decodes_to_quiet_comfort_noise()
    {
        // 1 s speech, 2 s quiet room (-60 dBFS), 1 s speech; 20 ms payloads as RTP would carry them.
        short[] pcm = [.. G729TestSignals.Speech(1), .. G729TestSignals.Noise(2, -60), .. G729TestSignals.Speech(1, seed: 3)];
        var payloads = new List<byte[]>();
        using (var enc = new G729Encoder())
        {
            var buffer = new byte[20];
            for (int i = 0; i + 160 <= pcm.Length; i += 160)
            {
                int n = enc.Encode(pcm.AsSpan(i, 160), buffer);
                payloads.Add(buffer[..n]);
            }
        }

        int empty = 0, withSid = 0, speechOnly = 0;
        foreach (var p in payloads)
        {
            Assert.True(p.Length % 10 is 0 or 2, $"a {p.Length}-byte payload: only speech frames and one final SID are allowed");
            if (p.Length == 0) empty++;
            else if (p.Length % 10 == 2) withSid++;
            else speechOnly++;
        }

        output.WriteLine($"{payloads.Count} payloads: {speechOnly} speech only, {withSid} ending with a SID frame, {empty} empty (DTX)");
        Assert.True(empty > 50, $"only {empty} of the 100 silent payloads were suppressed");

        // The VAD needs about half a second to tell the quiet room from speech (it hangs over, then sends a few
        // SIDs); after that the silence is only DTX and SID frames.
        Assert.True(withSid >= 1, "the start of silence must send a SID frame");
        int silentStart = 80, silentEnd = 145; // payload indexes well inside the quiet 2 s
        for (int i = silentStart; i < silentEnd; i++) Assert.True(payloads[i].Length <= 12, $"payload {i} in the silence has {payloads[i].Length} bytes");

        using var dec = new G729Decoder();
        var decoded = G729Measure.DecodeTimeline(dec, payloads, 160);
        double quiet = AudioAnalysis.RmsDbfs(decoded.AsSpan(silentStart * 160, (silentEnd - silentStart) * 160));
        var (_, r1) = G729Measure.Aligned(pcm.AsSpan(0, 8000), decoded.AsSpan(0, 8000));
        var (_, r2) = G729Measure.Aligned(pcm.AsSpan(24000, 8000), decoded.AsSpan(24000, 8000));
        output.WriteLine($"comfort noise {quiet:F1} dBFS (input -60 dBFS); speech correlation before {r1:F3}, after {r2:F3}");
        Assert.InRange(quiet, -68, -52); // comfort noise at about the level of the room, not silence
        Assert.True(r1 > 0.8 && r2 > 0.75, $"speech correlation {r1:F3} / {r2:F3}");
    }

    [RequiresBcg729Fact]
    public void A_sid_only_payload_decodes_to_one_frame_of_comfort_noise_and_erasure_continues_it()
    {
        short[] pcm = [.. G729TestSignals.Speech(0.5), .. G729TestSignals.Noise(1, -50)];
        using var enc = new G729Encoder();
        using var dec = new G729Decoder();
        var buffer = new byte[10];
        var frame = new short[80];
        int sids = 0;
        for (int i = 0; i + 80 <= pcm.Length; i += 80)
        {
            int n = enc.Encode(pcm.AsSpan(i, 80), buffer);
            if (n == 2)
            {
                sids++;
                Assert.Equal(80, dec.GetSampleCount(buffer.AsSpan(0, 2)));
                Assert.Equal(80, dec.Decode(buffer.AsSpan(0, 2), frame));
            }
            else if (n == 10)
            {
                dec.Decode(buffer, frame);
            }
            else
            {
                dec.Conceal(frame);
            }
        }

        Assert.True(sids >= 1, "no SID frame in a second of noise");
        var noise = new short[1600];
        dec.Conceal(noise);
        double level = AudioAnalysis.RmsDbfs(noise);
        output.WriteLine($"{sids} SID frames; comfort noise after them {level:F1} dBFS (input -50 dBFS)");
        Assert.InRange(level, -65, -40); // noise, not silence and not decaying speech
    }

    [RequiresBcg729Fact]
    public async Task Encoder_node_with_annex_b_sends_no_packets_for_digital_silence()
    {
        using var g729 = new G729Encoder();
        var node = new AudioEncoderNode("enc", g729, 18, TimeSpan.FromMilliseconds(20), new RtpTimestamp(0));
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        graph.Add(node);
        var sink = graph.Add(new CollectorNode<EncodedFrame>());
        graph.Connect(node.Output, sink.Input);
        graph.Start();
        var speech = G729TestSignals.Speech(0.4);
        for (int i = 0; i < 50; i++)
        {
            var f = AudioFrame.Rent(SampleRate.Hz8000, 160);
            if (i < 20) speech.AsSpan(i * 160, 160).CopyTo(f.Samples);
            else f.Samples.Clear();
            f.Position = i * 160;
            node.Process(f);
        }

        await Poll.UntilAsync(() => node.PacketsEncoded + node.PacketsSuppressed == 50, "50 packets encoded or suppressed");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        output.WriteLine($"{node.PacketsEncoded} packets sent, {node.PacketsSuppressed} suppressed");
        Assert.True(node.PacketsSuppressed > 20);
        Assert.All(packets, p => Assert.True(p.Length > 0));
        Assert.All(packets, p => Assert.Equal(160u, p.DurationUnits));
        foreach (var p in packets) p.Dispose();
    }

    [RequiresBcg729Fact]
    public void Payloads_hold_the_frames_of_their_10ms_parts_in_order_with_a_sid_only_at_the_end()
    {
        // Talkspurts that start and end at odd 10 ms boundaries, between stretches of noise of changing level.
        // Encoder A makes 20 ms payloads; encoder B, in the same state, one 10 ms frame at a time, from which the
        // payload rule (speech frames, then at most one final SID; nothing for untransmitted frames) gives the
        // expected payloads. A SID followed by speech inside one payload would be dropped; bcg729 always leaves at
        // least one untransmitted frame after a SID, so that case is not met here.
        var parts = new List<short>();
        for (int k = 0; k < 12; k++)
        {
            parts.AddRange(G729TestSignals.Noise(0.61 + (k * 0.02), -62 + (k % 3 * 6), seed: k));
            parts.AddRange(G729TestSignals.Speech(0.33 + (k * 0.01), seed: 40 + k));
        }

        short[] pcm = [.. parts];
        using var a = new G729Encoder();
        using var b = new G729Encoder();
        var payload = new byte[20];
        var frame0 = new byte[10];
        var frame1 = new byte[10];
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i + 160 <= pcm.Length; i += 160)
        {
            int n = a.Encode(pcm.AsSpan(i, 160), payload);
            int n0 = b.Encode(pcm.AsSpan(i, 80), frame0);
            int n1 = b.Encode(pcm.AsSpan(i + 80, 80), frame1);
            seen.Add((n0, n1));
            byte[] expected = (n0, n1) switch
            {
                (2, 10) => [.. frame1], // the SID is dropped: it may only end a payload
                (2, 2) => [.. frame1[..2]], // the newer SID replaces the older one
                _ => [.. frame0[..n0], .. frame1[..n1]],
            };
            Assert.Equal(expected, payload[..n]);
        }

        output.WriteLine("10 ms frame pairs seen: " + string.Join(", ", seen));
        Assert.Contains((10, 2), seen); // speech then SID: a 12-byte payload
        Assert.Contains((2, 0), seen); // a SID-only payload
        Assert.Contains((0, 10), seen); // a talkspurt starting mid-packet: 10 bytes for 20 ms
    }
}
