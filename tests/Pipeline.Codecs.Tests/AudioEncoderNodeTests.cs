using Pipeline.Codecs.G711;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

public class AudioEncoderNodeTests
{
    private static AudioFrame Frame(long position, int samples = 160, short value = 1000, SampleRate? rate = null)
    {
        var f = AudioFrame.Rent(rate ?? SampleRate.Hz8000, samples);
        f.Samples.Fill(value);
        f.Position = position;
        return f;
    }

    private static async Task<(MediaGraph Graph, AudioEncoderNode Encoder, CollectorNode<EncodedFrame> Sink)> StartAsync(AudioEncoderNode encoder)
    {
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(20), manual: true));
        graph.Add(encoder);
        var sink = graph.Add(new CollectorNode<EncodedFrame>());
        graph.Connect(encoder.Output, sink.Input);
        graph.Start();
        await Task.Yield();
        return (graph, encoder, sink);
    }

    [Fact]
    public async Task Encodes_each_frame_with_payload_type_and_timestamps_advancing_by_samples()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0, initialTimestamp: new RtpTimestamp(uint.MaxValue - 100)));
        var frames = new List<AudioFrame>();
        for (int i = 0; i < 3; i++)
        {
            var f = Frame(i * 160);
            frames.Add(f);
            enc.Input.Write(f);
        }

        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 packets");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([uint.MaxValue - 100, 59u, 219u], packets.Select(p => p.Timestamp.Value)); // wraps modulo 2^32
        Assert.All(packets, p => Assert.Equal(0, p.PayloadType));
        Assert.All(packets, p => Assert.Equal(160u, p.DurationUnits));
        Assert.All(packets, p => Assert.Equal(160, p.Length));
        Assert.Equal([true, false, false], packets.Select(p => p.Marker));
        Assert.All(packets, p => Assert.All(p.Payload.ToArray(), b => Assert.Equal(G191Reference.UlawCompress(1000), b)));
        Assert.Equal(3, enc.PacketsEncoded);

        // The input frames went back to the pool: disposing again must be a no-op, and the pool can hand them out again.
        foreach (var p in packets) p.Dispose();
    }

    [Fact]
    public async Task Packetises_10ms_frames_into_20ms_packets()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new ALawEncoder(), 8, TimeSpan.FromMilliseconds(20), new RtpTimestamp(1000)));
        for (int i = 0; i < 5; i++) enc.Input.Write(Frame(i * 80, 80, (short)(i * 100)));
        await Poll.UntilAsync(() => sink.Items.Count == 2, "2 packets");
        await Task.Delay(20);
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal(2, packets.Length); // the fifth 10 ms frame waits for its partner
        Assert.Equal([1000u, 1160u], packets.Select(p => p.Timestamp.Value));
        Assert.All(packets, p => Assert.Equal(160, p.Length));
        Assert.All(packets, p => Assert.Equal(8, p.PayloadType));
        Assert.Equal(G191Reference.AlawCompress(0), packets[0].Payload[0]);
        Assert.Equal(G191Reference.AlawCompress(100), packets[0].Payload[80]);
        Assert.Equal(G191Reference.AlawCompress(300), packets[1].Payload[159]);
    }

    [Fact]
    public async Task A_gap_in_positions_moves_the_timestamp_and_sets_the_marker()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0, initialTimestamp: new RtpTimestamp(0)));
        enc.Input.Write(Frame(0));
        enc.Input.Write(Frame(160));
        enc.Input.Write(Frame(160 * 5)); // three frames missing
        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 packets");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([0u, 160u, 800u], packets.Select(p => p.Timestamp.Value));
        Assert.Equal([true, false, true], packets.Select(p => p.Marker));
    }

    [Fact]
    public async Task A_gap_inside_a_packet_is_padded_with_silence_and_the_next_packet_starts_at_its_position()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0, TimeSpan.FromMilliseconds(20), new RtpTimestamp(0)));
        enc.Input.Write(Frame(0, 80, 1000));
        enc.Input.Write(Frame(80, 80, 1000));
        enc.Input.Write(Frame(160, 80, 2000));
        enc.Input.Write(Frame(400, 80, 3000)); // 160 samples missing (240..399)
        enc.Input.Write(Frame(480, 80, 3000));
        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 packets");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([0u, 160u, 400u], packets.Select(p => p.Timestamp.Value));
        Assert.Equal([true, false, true], packets.Select(p => p.Marker));
        Assert.Equal(G191Reference.UlawCompress(2000), packets[1].Payload[79]);
        Assert.Equal(G191Reference.UlawCompress(0), packets[1].Payload[80]); // padding
        Assert.Equal(G191Reference.UlawCompress(3000), packets[2].Payload[0]);
    }

    [Fact]
    public async Task Frames_at_the_wrong_rate_are_dropped_and_counted()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0));
        enc.Input.Write(Frame(0, 320, rate: SampleRate.Hz16000));
        enc.Input.Write(Frame(0));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "1 packet");
        await graph.StopAsync();
        Assert.Equal(1, enc.FormatMismatches);
    }

    [Fact]
    public async Task SetEncoder_switches_codec_and_payload_type_keeping_the_timestamp_running()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0, initialTimestamp: new RtpTimestamp(500)));
        enc.Input.Write(Frame(0));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "first packet");
        enc.SetEncoder(new ALawEncoder(), 8);
        Assert.Equal(8, enc.PayloadType);
        enc.Input.Write(Frame(160));
        await Poll.UntilAsync(() => sink.Items.Count == 2, "second packet");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([0, 8], packets.Select(p => p.PayloadType));
        Assert.Equal([500u, 660u], packets.Select(p => p.Timestamp.Value));
        Assert.Equal(G191Reference.AlawCompress(1000), packets[1].Payload[0]);
    }

    [Fact]
    public async Task SetEncoder_to_another_sample_rate_continues_the_timestamp_without_a_jump_or_marker()
    {
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", new MuLawEncoder(), 0, initialTimestamp: new RtpTimestamp(500)));
        enc.Input.Write(Frame(8000));
        await Poll.UntilAsync(() => sink.Items.Count == 1, "first packet");
        enc.SetEncoder(new Pipeline.Codecs.G722.G722Encoder(), 9);

        // After the switch positions count 16 kHz samples (twice the 8 kHz numbers): not a 1 s gap.
        enc.Input.Write(Frame(16320, samples: 320, rate: SampleRate.Hz16000));
        await Poll.UntilAsync(() => sink.Items.Count == 2, "second packet");
        enc.Input.Write(Frame(16640, samples: 320, rate: SampleRate.Hz16000));
        await Poll.UntilAsync(() => sink.Items.Count == 3, "third packet");
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal([0, 9, 9], packets.Select(p => p.PayloadType));
        Assert.Equal([500u, 660u, 820u], packets.Select(p => p.Timestamp.Value)); // G.722: 320 samples are 160 RTP units
        Assert.False(packets[1].Marker);
        Assert.Equal(0, enc.FormatMismatches);
    }

    [Fact]
    public void Constructor_rejects_bad_payload_type_and_ptime()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioEncoderNode("e", new MuLawEncoder(), 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioEncoderNode("e", new MuLawEncoder(), 0, TimeSpan.Zero));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AudioEncoderNode("e", new MuLawEncoder(), 0, TimeSpan.FromMilliseconds(500)));
        Assert.Contains("1500", ex.Message);
    }

    [Fact]
    public void Timestamps_convert_samples_to_the_rtp_clock_when_they_differ()
    {
        // G.722 style: 16 kHz audio on an 8 kHz RTP clock; and a 44.1 kHz oddity that needs the remainder carried.
        var g722 = new RtpTimeline(SampleRate.Hz16000, new RtpClockRate(8000));
        Assert.Equal(160u, g722.Advance(320));
        var odd = new RtpTimeline(new SampleRate(44100), new RtpClockRate(8000));
        long total = 0;
        for (int i = 0; i < 100; i++) total += odd.Advance(441); // 10 ms each
        Assert.Equal(8000, total);
    }

    [Fact]
    public async Task An_empty_payload_sends_no_packet_and_the_next_packet_keeps_time_and_carries_the_marker()
    {
        // DTX (G.729 Annex B): the encoder returns 0 bytes for silent packets.
        var encoder = new SilenceSuppressingEncoder();
        var (graph, enc, sink) = await StartAsync(new AudioEncoderNode("enc", encoder, 18, initialTimestamp: new RtpTimestamp(1000)));
        short[] levels = [1000, 0, 0, 1000, 1000];
        for (int i = 0; i < levels.Length; i++) enc.Input.Write(Frame(i * 160, value: levels[i]));
        await Poll.UntilAsync(() => sink.Items.Count == 3, "3 packets");
        await Task.Delay(20);
        await graph.StopAsync();
        var packets = sink.Items.ToArray();
        Assert.Equal(3, packets.Length);
        Assert.Equal([1000u, 1480u, 1640u], packets.Select(p => p.Timestamp.Value));
        Assert.Equal([true, true, false], packets.Select(p => p.Marker));
        Assert.All(packets, p => Assert.Equal(1, p.Length));
        Assert.Equal(3, enc.PacketsEncoded);
        Assert.Equal(2, enc.PacketsSuppressed);
        Assert.Equal(5, encoder.Calls);
    }

    /// <summary>One byte per packet with sound in it, none for digital silence.</summary>
    private sealed class SilenceSuppressingEncoder : IAudioEncoder
    {
        public int Calls { get; private set; }

        public string Name => "TEST";

        public SampleRate SampleRate => SampleRate.Hz8000;

        public RtpClockRate RtpClockRate => new(8000);

        public int Channels => 1;

        public int GetMaxEncodedLength(int samplesPerChannel) => 1;

        public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
        {
            Calls++;
            if (pcm.IndexOfAnyExcept((short)0) < 0) return 0;
            payload[0] = 1;
            return 1;
        }
    }
}
