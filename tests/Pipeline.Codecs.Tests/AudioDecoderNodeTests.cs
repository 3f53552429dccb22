using Pipeline.Codecs.G711;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

public class AudioDecoderNodeTests
{
    private static EncodedFrame Packet(int pt, uint timestamp, byte value, int length = 160)
    {
        var p = EncodedFrame.Rent(length);
        p.Payload.Fill(value);
        p.PayloadType = pt;
        p.Timestamp = new RtpTimestamp(timestamp);
        p.DurationUnits = (uint)length;
        return p;
    }

    private static EncodedFrame Lost(int pt, uint timestamp, uint units)
    {
        var p = EncodedFrame.Rent();
        p.IsLost = true;
        p.PayloadType = pt;
        p.Timestamp = new RtpTimestamp(timestamp);
        p.DurationUnits = units;
        return p;
    }

    private static async Task<(MediaGraph Graph, AudioDecoderNode Decoder, CollectorNode<AudioFrame> Sink)> StartAsync(AudioDecoderNode decoder)
    {
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        graph.Add(decoder);
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(decoder.Output, sink.Input);
        graph.Start();
        await Task.Yield();
        return (graph, decoder, sink);
    }

    [Fact]
    public async Task Decodes_by_payload_type_with_positions_from_timestamps()
    {
        var node = new AudioDecoderNode("dec", 0, new MuLawDecoder()) { InitialPosition = 4000 };
        var (graph, dec, sink) = await StartAsync(node);
        dec.Input.Write(Packet(0, uint.MaxValue - 10, 0x80));
        dec.Input.Write(Packet(0, 149, 0x00)); // wraps
        await Poll.UntilAsync(() => sink.Items.Count == 2, "2 frames");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.Equal([4000L, 4160L], frames.Select(f => f.Position));
        Assert.All(frames[0].Samples.ToArray(), s => Assert.Equal(32124, s));
        Assert.All(frames[1].Samples.ToArray(), s => Assert.Equal(-32124, s));
        Assert.All(frames, f => Assert.False(f.IsConcealment));
        Assert.All(frames, f => Assert.Equal(SampleRate.Hz8000, f.SampleRate));
        Assert.Equal(2, dec.FramesDecoded);
    }

    [Fact]
    public async Task Lost_frame_is_concealed_with_silence_and_flagged()
    {
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 8, new ALawDecoder()));
        dec.Input.Write(Packet(8, 0, 0xAA));
        dec.Input.Write(Lost(8, 160, 160));
        dec.Input.Write(Lost(99, 320, 0)); // unknown PT and no duration: last decoder, last length
        dec.Input.Write(Packet(8, 480, 0xAA));
        await Poll.UntilAsync(() => sink.Items.Count == 4, "4 frames");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.Equal([false, true, true, false], frames.Select(f => f.IsConcealment));
        Assert.Equal([0L, 160L, 320L, 480L], frames.Select(f => f.Position));
        Assert.All(frames, f => Assert.Equal(160, f.SampleCount));
        Assert.All(frames[1].Samples.ToArray(), s => Assert.Equal(0, s));
        Assert.Equal(2, dec.FramesConcealed);
    }

    [Fact]
    public async Task Unknown_payload_type_is_dropped_and_counted()
    {
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 0, new MuLawDecoder()));
        dec.Input.Write(Packet(18, 0, 0x80));
        dec.Input.Write(Packet(0, 160, 0x80));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "1 frame");
        await Poll.UntilAsync(() => dec.UnknownPayloadTypes == 1, "drop counted");
        await graph.StopAsync();
        Assert.Single(sink.Items);
    }

    [Fact]
    public async Task Codec_change_at_runtime_switches_decoder()
    {
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 0, new MuLawDecoder()));
        dec.Input.Write(Packet(0, 0, 0x80));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "first frame");

        // re-INVITE: the remote now sends PCMA with a dynamic-looking PT 8 and stops PCMU.
        dec.SetDecoder(8, new ALawDecoder());
        dec.RemoveDecoder(0);
        Assert.Null(dec.GetDecoder(0));
        Assert.IsType<ALawDecoder>(dec.GetDecoder(8));
        dec.Input.Write(Packet(8, 160, 0xAA));
        dec.Input.Write(Packet(0, 320, 0x80));
        await Poll.UntilAsync(() => sink.Items.Count == 2 && dec.UnknownPayloadTypes == 1, "PCMA frame and PCMU drop");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.Equal(32124, frames[0].Samples[0]);
        Assert.Equal(32256, frames[1].Samples[0]);
        Assert.Equal(160, frames[1].Position);
    }

    [Fact]
    public async Task Timestamp_gap_advances_position_but_a_new_stream_continues_it()
    {
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 0, new MuLawDecoder()));
        dec.Input.Write(Packet(0, 1000, 0xFF));
        dec.Input.Write(Packet(0, 1000 + 160 * 4, 0xFF)); // 3 frames skipped (DTX)
        dec.Input.Write(Packet(0, 2_000_000_000, 0xFF)); // new SSRC / restart: far jump
        dec.Input.Write(Packet(0, 1_000_000_000, 0xFF)); // backwards
        await Poll.UntilAsync(() => sink.Items.Count == 4, "4 frames");
        await graph.StopAsync();
        Assert.Equal([0L, 640L, 800L, 960L], sink.Items.Select(f => f.Position));
    }

    [Fact]
    public void SetDecoder_rejects_out_of_range_payload_type()
    {
        var node = new AudioDecoderNode("dec");
        Assert.Throws<ArgumentOutOfRangeException>(() => node.SetDecoder(128, new MuLawDecoder()));
        Assert.Throws<ArgumentOutOfRangeException>(() => node.SetDecoder(-1, new MuLawDecoder()));
    }

    [Fact]
    public async Task Encoder_and_decoder_nodes_round_trip_audio_driven_by_the_clock()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var source = graph.Add(new QueueSourceNode());
        var enc = graph.Add(new AudioEncoderNode("enc", new MuLawEncoder(), 0));
        var dec = graph.Add(new AudioDecoderNode("dec", 0, new MuLawDecoder()));
        var sink = graph.Add(new CollectorNode<AudioFrame>());
        graph.Connect(source.Output, enc.Input);
        graph.Connect(enc.Output, dec.Input);
        graph.Connect(dec.Output, sink.Input);
        var input = new short[160 * 10];
        for (int i = 0; i < input.Length; i++) input[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
        for (int k = 0; k < 10; k++)
        {
            var f = AudioFrame.Rent(SampleRate.Hz8000, 160);
            input.AsSpan(k * 160, 160).CopyTo(f.Samples);
            f.Position = k * 160;
            source.Pending.Enqueue(f);
        }

        graph.Start();
        for (int k = 0; k < 10; k++)
        {
            clock.Advance();
            int expected = k + 1;
            await Poll.UntilAsync(() => sink.Items.Count == expected, $"frame {expected}");
        }

        await graph.StopAsync();
        var output = sink.Items.SelectMany(f => f.Samples.ToArray()).ToArray();
        Assert.Equal(input.Length, output.Length);
        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(G191Reference.UlawExpand(G191Reference.UlawCompress(input[i])), output[i]);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(k => k * 160L), sink.Items.Select(f => f.Position));
    }

    [Fact]
    public async Task A_lost_frame_carrying_the_next_packet_is_rebuilt_by_a_fec_decoder_and_concealed_when_it_cannot()
    {
        var fec = new FakeFecDecoder();
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 0, fec));
        dec.Input.Write(Packet(0, 0, 1));
        dec.Input.Write(Recovery(0, 160, 7));   // FEC inside: rebuilt
        dec.Input.Write(Packet(0, 320, 7));
        dec.Input.Write(Recovery(0, 480, 0));   // the fake finds no FEC in a zero-filled payload: concealed
        dec.Input.Write(Packet(0, 640, 0));
        dec.Input.Write(Recovery(0, 800, 99));  // the fake throws (bad data): concealed
        dec.Input.Write(Packet(0, 960, 2));
        dec.Input.Write(Lost(0, 1120, 160));    // no next packet: concealed
        await Poll.UntilAsync(() => sink.Items.Count == 8, "8 frames");
        dec.UseInbandFec = false;
        dec.Input.Write(Recovery(0, 1280, 7));  // FEC turned off: concealed
        await Poll.UntilAsync(() => sink.Items.Count == 9, "9 frames");
        await graph.StopAsync();
        var frames = sink.Items.ToArray();
        Assert.Equal([false, false, false, true, false, true, false, true, true], frames.Select(f => f.IsConcealment));
        Assert.Equal(Enumerable.Range(0, 9).Select(k => k * 160L), frames.Select(f => f.Position));
        Assert.All(frames[1].Samples.ToArray(), x => Assert.Equal(7000, x)); // what the fake rebuilt from the payload
        Assert.All(frames[3].Samples.ToArray(), x => Assert.Equal(-1, x));  // the fake's concealment
        Assert.Equal(1, dec.FramesRecovered);
        Assert.Equal(4, dec.FramesConcealed);
        Assert.Equal(4, dec.FramesDecoded);
        Assert.Equal(0, dec.DecodeFailures);
        Assert.Equal([7, 0, 99], fec.FecPayloads);
    }

    [Fact]
    public async Task A_decoder_without_fec_conceals_a_lost_frame_that_carries_the_next_packet()
    {
        var (graph, dec, sink) = await StartAsync(new AudioDecoderNode("dec", 0, new MuLawDecoder()));
        dec.Input.Write(Packet(0, 0, 0x80));
        dec.Input.Write(Recovery(0, 160, 0x80));
        await Poll.UntilAsync(() => sink.Items.Count == 2, "2 frames");
        await graph.StopAsync();
        Assert.Equal([false, true], sink.Items.Select(f => f.IsConcealment));
        Assert.Equal(1, dec.FramesConcealed);
        Assert.Equal(0, dec.FramesRecovered);
    }

    /// <summary>A placeholder for <paramref name="timestamp"/> carrying the next packet (filled with <paramref name="value"/>).</summary>
    private static EncodedFrame Recovery(int pt, uint timestamp, byte value)
    {
        var p = Packet(pt, timestamp, value);
        p.IsLost = true;
        Assert.True(p.HasRecoveryPayload);
        return p;
    }

    /// <summary>Decodes a payload to value × 1000; "FEC" is in any payload whose first byte is not 0 (99: bad data).</summary>
    private sealed class FakeFecDecoder : IAudioFecDecoder
    {
        public List<int> FecPayloads { get; } = [];

        public string Name => "fake";

        public SampleRate SampleRate => SampleRate.Hz8000;

        public RtpClockRate RtpClockRate => new(8000);

        public int Channels => 1;

        public int GetSampleCount(ReadOnlySpan<byte> payload) => payload.Length;

        public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
        {
            pcm[..payload.Length].Fill((short)(payload[0] * 1000));
            return payload.Length;
        }

        public void Conceal(Span<short> pcm) => pcm.Fill(-1);

        public bool TryDecodeFec(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
        {
            FecPayloads.Add(nextPayload[0]);
            if (nextPayload[0] == 99) throw new InvalidDataException("bad FEC");
            if (nextPayload[0] == 0) return false;
            pcm.Fill((short)(nextPayload[0] * 1000));
            return true;
        }
    }
}
