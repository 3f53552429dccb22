using Pipeline.Codecs.G711;
using Pipeline.Codecs.Opus;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Opus;

/// <summary>The receive path (jitter buffer ─► decoder node) rebuilding lost frames from Opus in-band FEC.</summary>
public sealed class OpusFecReceivePathTests(ITestOutputHelper output)
{
    private const int Rate = 16000;
    private const int Frame = 320; // 20 ms at 16 kHz
    private const int Pt = 111;

    public static TheoryData<OpusImplementation> Implementations => OpusCodecTests.Implementations;

    private static bool EveryFifth(int i, int count) => i % 5 == 4 && i < count - 1; // the last packet has no successor

    [Theory]
    [MemberData(nameof(Implementations))]
    public async Task Every_fifth_packet_lost_is_rebuilt_from_the_next_packets_fec_far_better_than_concealment(OpusImplementation impl)
    {
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 3.0);
        var options = new OpusEncoderOptions { SampleRate = SampleRate.Hz16000, Bitrate = 24000, UseInbandFec = true, PacketLossPercent = 20 };
        using var encoder = OpusCodec.CreateEncoder(options, impl);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);
        int dropped = Enumerable.Range(0, packets.Count).Count(i => EveryFifth(i, packets.Count));

        using var d0 = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        using var d1 = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        using var d2 = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        var clean = await ReceiveAsync(packets, 960, d0, useFec: true, drop: (_, _) => false);
        var fec = await ReceiveAsync(packets, 960, d1, useFec: true, drop: EveryFifth);
        var plc = await ReceiveAsync(packets, 960, d2, useFec: false, drop: EveryFifth);

        // libopus adds LBRR only for frames its VAD finds active enough; in this signal's quiet syllable troughs it
        // does not, and those drops can only be concealed. Which ones: the LBRR flag of the packet after each drop.
        var protectedDrops = Enumerable.Range(0, packets.Count).Where(i => EveryFifth(i, packets.Count) && OpusPacket.HasLbrr(packets[i + 1])).ToHashSet();
        Assert.True(protectedDrops.Count >= dropped * 3 / 4, $"the sender protected only {protectedDrops.Count} of the {dropped} dropped frames");

        Assert.Equal(packets.Count, clean.Node.FramesDecoded);
        Assert.Equal(dropped, fec.Jitter.WithRecoveryPayload); // every drop had its next packet buffered
        Assert.Equal(protectedDrops.Count, fec.Node.FramesRecovered);
        Assert.Equal(dropped - protectedDrops.Count, fec.Node.FramesConcealed);
        Assert.Equal(packets.Count - dropped, fec.Node.FramesDecoded);
        Assert.Equal(0, plc.Node.FramesRecovered);
        Assert.Equal(dropped, plc.Node.FramesConcealed);

        double fecAll = 0, plcAll = 0, fecProtected = 0, plcProtected = 0;
        for (int k = 0; k < packets.Count; k++)
        {
            if (!EveryFifth(k, packets.Count)) continue;
            var reference = clean.Pcm.AsSpan(k * Frame, Frame);
            double f = OpusTestSupport.SnrDb(reference, fec.Pcm.AsSpan(k * Frame, Frame));
            double p = OpusTestSupport.SnrDb(reference, plc.Pcm.AsSpan(k * Frame, Frame));
            fecAll += f / dropped;
            plcAll += p / dropped;
            bool rebuilt = protectedDrops.Contains(k);
            if (rebuilt)
            {
                fecProtected += f / protectedDrops.Count;
                plcProtected += p / protectedDrops.Count;
            }

            Assert.Equal(!rebuilt, fec.Concealment[k]); // a frame rebuilt from FEC is real audio, not concealment
            Assert.True(plc.Concealment[k], $"frame {k} was concealed");
        }

        output.WriteLine($"{impl}: {dropped} of {packets.Count} packets dropped, {protectedDrops.Count} of them protected by LBRR in the next packet. Mean SNR against the loss-free decode: over all lost frames FEC {fecAll:F1} dB vs concealment {plcAll:F1} dB; over the protected ones FEC {fecProtected:F1} dB vs concealment {plcProtected:F1} dB");
        Assert.True(fecProtected > 5, $"FEC frames should be close to the loss-free decode (mean SNR {fecProtected:F1} dB)");
        Assert.True(fecProtected > plcProtected + 5, $"FEC ({fecProtected:F1} dB) should beat concealment ({plcProtected:F1} dB) clearly on the frames it protects");
        Assert.True(fecAll > plcAll + 3, $"over all lost frames FEC ({fecAll:F1} dB) should still beat concealment ({plcAll:F1} dB)");
    }

    [Fact]
    public async Task A_codec_without_fec_conceals_lost_frames_although_the_next_packet_rides_along()
    {
        var pcm = OpusTestSupport.ToneAndSpeech(8000, 1.0);
        var encoder = new MuLawEncoder();
        var packets = new List<byte[]>();
        for (int i = 0; i + 160 <= pcm.Length; i += 160)
        {
            var p = new byte[160];
            encoder.Encode(pcm.AsSpan(i, 160), p);
            packets.Add(p);
        }

        int dropped = Enumerable.Range(0, packets.Count).Count(i => EveryFifth(i, packets.Count));
        var rx = await ReceiveAsync(packets, 160, new MuLawDecoder(), useFec: true, drop: EveryFifth, pt: 0);
        Assert.Equal(dropped, rx.Jitter.WithRecoveryPayload);
        Assert.Equal(dropped, rx.Node.FramesConcealed);
        Assert.Equal(0, rx.Node.FramesRecovered);
        Assert.Equal(packets.Count - dropped, rx.Node.FramesDecoded);
        for (int k = 0; k < packets.Count; k++) Assert.Equal(EveryFifth(k, packets.Count), rx.Concealment[k]);
    }

    [Theory]
    [InlineData(1, 20, 24000)]
    [InlineData(2, 20, 32000)]
    [InlineData(1, 40, 24000)]
    [InlineData(1, 60, 24000)]
    [InlineData(2, 60, 32000)]
    [InlineData(1, 10, 32000)]
    public void Lbrr_flag_is_read_from_silk_and_hybrid_packets_and_only_when_fec_is_on(int channels, int frameMs, int bitrate)
    {
        var impl = OpusCodec.IsNativeAvailable ? OpusImplementation.Native : OpusImplementation.Managed;
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 2.0, channels);
        var options = new OpusEncoderOptions
        {
            SampleRate = SampleRate.Hz16000,
            Channels = channels,
            Bitrate = bitrate,
            FrameDuration = TimeSpan.FromMilliseconds(frameMs),
            UseInbandFec = true,
            PacketLossPercent = 20,
        };
        using var withFec = OpusCodec.CreateEncoder(options, impl);
        using var without = OpusCodec.CreateEncoder(options with { UseInbandFec = false, PacketLossPercent = 0 }, impl);
        var fec = OpusTestSupport.EncodeAll(withFec, pcm);
        var plain = OpusTestSupport.EncodeAll(without, pcm);
        int flagged = fec.Count(p => OpusPacket.HasLbrr(p));
        output.WriteLine($"{channels} ch, {frameMs} ms: LBRR in {flagged} of {fec.Count} packets with FEC; TOC 0x{fec[^1][0]:X2}");
        output.WriteLine(string.Concat(fec.Select(p => OpusPacket.HasLbrr(p) ? "L" : ".")));
        // libopus protects only frames its VAD finds active (not the first, nor quiet troughs of this signal): most, not all.
        Assert.True(flagged >= fec.Count * 6 / 10, $"only {flagged} of {fec.Count} packets flagged LBRR with FEC on");
        Assert.DoesNotContain(plain, p => OpusPacket.HasLbrr(p));
    }

    [Fact]
    public void Lbrr_is_never_seen_in_celt_packets_or_malformed_ones()
    {
        var pcm = OpusTestSupport.ToneAndSpeech(48000, 0.5);
        var options = new OpusEncoderOptions { Application = OpusApplication.LowDelay, UseInbandFec = true, PacketLossPercent = 20 };
        using var celt = OpusCodec.CreateEncoder(options, OpusCodec.IsNativeAvailable ? OpusImplementation.Native : OpusImplementation.Managed);
        var packets = OpusTestSupport.EncodeAll(celt, pcm);
        Assert.All(packets, p => Assert.True((p[0] & 0x80) != 0, "CELT-only TOC"));
        Assert.DoesNotContain(packets, p => OpusPacket.HasLbrr(p));
        Assert.False(OpusPacket.HasLbrr([]));
        Assert.False(OpusPacket.HasLbrr([0x08]));               // TOC only
        Assert.False(OpusPacket.HasLbrr([0x0A, 0xFF]));         // code 2, length field cut short
        Assert.False(OpusPacket.HasLbrr([0x0B, 0x82, 0x00]));   // code 3 VBR, first frame empty
        Assert.True(OpusPacket.HasLbrr([0x0B, 0x82, 0x01, 0x40, 0x40])); // code 3 VBR, 2 frames, first one "01000000": LBRR
        Assert.True(OpusPacket.HasLbrr([0x0B, 0xC1, 0x02, 0x40, 0x00, 0x00])); // code 3 CBR with 2 bytes of padding
        Assert.True(OpusPacket.HasLbrr([0x09, 0x40, 0x40]));    // code 1
        Assert.False(OpusPacket.HasLbrr([0x08, 0x80]));         // VAD only
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void TryDecodeFec_refuses_a_packet_without_fec_and_leaves_the_decoder_as_it_was(OpusImplementation impl)
    {
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 0.6);
        using var encoder = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000 }, impl);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);
        using var a = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        using var b = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        OpusTestSupport.DecodeAll(a, packets.Take(20));
        OpusTestSupport.DecodeAll(b, packets.Take(20));
        var untouched = new short[Frame];
        Array.Fill(untouched, (short)77);
        Assert.False(a.TryDecodeFec(packets[21], untouched));
        Assert.All(untouched, s => Assert.Equal(77, s));
        Assert.False(a.TryDecodeFec([], new short[Frame]));
        Assert.False(a.TryDecodeFec(packets[21], new short[Frame - 1])); // not whole 2.5 ms

        var viaA = new short[Frame];
        var viaB = new short[Frame];
        a.Conceal(viaA);
        b.Conceal(viaB);
        Assert.Equal(viaB, viaA);
    }

    private sealed record Received(short[] Pcm, bool[] Concealment, AudioDecoderNode Node, JitterBufferStatistics Jitter);

    /// <summary>Sends <paramref name="packets"/> one per 20 ms tick into a 60 ms jitter buffer and a decoder node, leaving out
    /// the ones <paramref name="drop"/> picks; returns the decoded audio laid out by position.</summary>
    private static async Task<Received> ReceiveAsync(List<byte[]> packets, uint units, IAudioDecoder decoder, bool useFec, Func<int, int, bool> drop, int pt = Pt)
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock, "fec-rx");
        var jb = graph.Add(new FixedJitterBufferNode("jb", decoder.RtpClockRate, TimeSpan.FromMilliseconds(60)));
        var node = graph.Add(new AudioDecoderNode("dec", pt, decoder) { UseInbandFec = useFec });
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(jb.Output, node.Input);
        graph.Connect(node.Output, sink.Input);
        graph.Start();
        await Task.Yield();
        for (int tick = 0; tick < packets.Count + 3; tick++)
        {
            if (tick < packets.Count && !drop(tick, packets.Count))
            {
                var f = EncodedFrame.Rent(packets[tick].Length);
                packets[tick].CopyTo(f.Payload);
                f.PayloadType = pt;
                f.Timestamp = new RtpTimestamp(123_000 + ((uint)tick * units));
                jb.Input.Write(f);
            }

            clock.Advance();
            var s = jb.Statistics;
            long due = s.Played + s.Concealed;
            await Poll.UntilAsync(() => node.FramesDecoded + node.FramesConcealed + node.FramesRecovered + node.DecodeFailures == due, $"{due} frames through the decoder");
        }

        await graph.StopAsync();
        int frame = decoder.GetSampleCount(packets[0]);
        var pcm = new short[packets.Count * frame];
        var concealment = new bool[packets.Count];
        foreach (var a in sink.Items)
        {
            int k = (int)(a.Position / frame);
            if (k < packets.Count)
            {
                a.Samples.CopyTo(pcm.AsSpan(k * frame));
                concealment[k] = a.IsConcealment;
            }

            a.Dispose();
        }

        return new Received(pcm, concealment, node, jb.Statistics);
    }
}
