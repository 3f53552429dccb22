using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Nodes;

public sealed class FixedJitterBufferNodeTests : IAsyncDisposable
{
    private static readonly RtpClockRate Rate = new(8000);
    private MediaClock? _clock;
    private MediaGraph? _graph;
    private FixedJitterBufferNode? _jb;
    private SinkNode<EncodedFrame>? _sink;

    private FixedJitterBufferNode Jb => _jb!;

    [Fact]
    public void First_frame_plays_after_the_target_delay()
    {
        Build(periodMs: 20, delayMs: 60);
        var played = new List<int>();
        for (int tick = 0; tick < 6; tick++)
        {
            Push(1000 + (uint)(tick * 160));
            _clock!.Advance();
            if (TakeOut().Count > 0) played.Add(tick);
        }

        // Arrival at tick 0; 60 ms = 3 ticks later it plays, then one per tick.
        Assert.Equal([3, 4, 5], played);
    }

    [Fact]
    public void Reordered_packets_come_out_in_timestamp_order()
    {
        Build(20, 60);
        uint[] arrival = [0, 320, 160, 640, 480, 800, 960, 1120, 1280];
        var outp = new List<(uint Ts, bool Lost)>();
        foreach (var ts in arrival)
        {
            Push(ts);
            Tick(outp);
        }

        for (int i = 0; i < 3; i++) Tick(outp);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => ((uint)(i * 160), false)), outp);
        var s = Jb.Statistics;
        Assert.Equal(9, s.Played);
        Assert.Equal(0, s.Concealed + s.Late + s.Duplicates + s.Overflow);
    }

    [Fact]
    public void A_missing_frame_becomes_a_lost_placeholder_with_its_timestamp_and_duration()
    {
        Build(20, 40);
        var outp = new List<EncodedFrame>();
        foreach (uint i in new uint[] { 0, 1, 3, 4, 5, 6 })
        {
            Push(50_000 + (i * 160));
            _clock!.Advance();
            outp.AddRange(TakeOut());
        }

        _clock!.Advance(3); // slot k plays at tick 2 + k (40 ms delay): the last at tick 8
        outp.AddRange(TakeOut());
        Assert.Equal(7, outp.Count);
        var lost = outp[2];
        Assert.True(lost.IsLost);
        Assert.True(lost.HasRecoveryPayload); // frame 3 was buffered when 2 was due: its payload rides along (FEC)
        Assert.Equal(50_000u + 320, lost.Timestamp.Value);
        Assert.Equal(160u, lost.DurationUnits);
        Assert.All(outp.Where(f => !f.IsLost), f => Assert.Equal(160u, f.DurationUnits));
        Assert.Equal(1, Jb.Statistics.Concealed);
        Assert.Equal(6, Jb.Statistics.Played);
    }

    [Fact]
    public void A_lost_frame_whose_next_packet_is_buffered_carries_a_copy_of_that_packets_payload_and_payload_type()
    {
        Build(20, 60);
        var outp = new List<EncodedFrame>();
        foreach (uint i in new uint[] { 0, 1, 3, 4, 5 })
        {
            Push(1000 + (i * 160), payloadType: i == 3 ? 111 : 0, fill: (byte)(10 + i), length: i == 3 ? 73 : 160);
            _clock!.Advance();
            outp.AddRange(TakeOut());
        }

        _clock!.Advance(4);
        outp.AddRange(TakeOut());
        try
        {
            Assert.Equal([1000u, 1160, 1320, 1480, 1640, 1800], outp.Select(f => f.Timestamp.Value));
            var lost = outp[2];
            Assert.True(lost.IsLost);
            Assert.True(lost.HasRecoveryPayload);
            Assert.Equal(160u, lost.DurationUnits);
            Assert.Equal(111, lost.PayloadType);
            Assert.Equal(Enumerable.Repeat((byte)13, 73), lost.Payload.ToArray());

            // The next packet itself still plays, untouched, at its own time.
            var next = outp[3];
            Assert.False(next.IsLost);
            Assert.False(next.HasRecoveryPayload);
            Assert.Equal(111, next.PayloadType);
            Assert.Equal(Enumerable.Repeat((byte)13, 73), next.Payload.ToArray());
            Assert.All(outp.Where(f => f != lost), f => Assert.False(f.IsLost));
            var s = Jb.Statistics;
            Assert.Equal(1, s.Concealed);
            Assert.Equal(1, s.WithRecoveryPayload);
            Assert.Equal(5, s.Played);
        }
        finally
        {
            foreach (var f in outp) f.Dispose();
        }
    }

    [Fact]
    public void A_lost_frame_whose_next_packet_has_not_arrived_is_a_plain_placeholder()
    {
        Build(20, 40);
        var outp = new List<EncodedFrame>();
        Push(0);
        Push(160);
        _clock!.Advance(5); // 0 and 160 play; 320 is due with nothing buffered
        outp.AddRange(TakeOut());
        Push(480); // arrives after 320's placeholder went out, just in time for its own slot
        _clock.Advance();
        outp.AddRange(TakeOut());
        try
        {
            var lost = outp.Single(f => f.IsLost && f.Timestamp.Value == 320);
            Assert.False(lost.HasRecoveryPayload);
            Assert.Equal(0, lost.Length);
            Assert.Equal(0, lost.PayloadType); // the last played payload type
            Assert.Contains(outp, f => !f.IsLost && f.Timestamp.Value == 480);
            Assert.Equal(0, Jb.Statistics.WithRecoveryPayload);
        }
        finally
        {
            foreach (var f in outp) f.Dispose();
        }
    }

    [Fact]
    public void In_a_burst_of_two_losses_only_the_second_placeholder_carries_the_next_packet()
    {
        Build(20, 60);
        var outp = new List<EncodedFrame>();
        foreach (uint i in new uint[] { 0, 1, 4, 5, 6 })
        {
            Push(i * 160, fill: (byte)(10 + i));
            _clock!.Advance();
            outp.AddRange(TakeOut());
        }

        _clock!.Advance(5);
        outp.AddRange(TakeOut());
        try
        {
            Assert.Equal([0u, 160, 320, 480, 640, 800, 960], outp.Select(f => f.Timestamp.Value));
            Assert.Equal([false, false, true, true, false, false, false], outp.Select(f => f.IsLost));
            Assert.False(outp[2].HasRecoveryPayload); // frame 3 (what would carry 2's FEC) is lost too
            Assert.True(outp[3].HasRecoveryPayload);
            Assert.Equal(Enumerable.Repeat((byte)14, 160), outp[3].Payload.ToArray());
            Assert.Equal(2, Jb.Statistics.Concealed);
            Assert.Equal(1, Jb.Statistics.WithRecoveryPayload);
        }
        finally
        {
            foreach (var f in outp) f.Dispose();
        }
    }

    [Fact]
    public void Late_packets_and_duplicates_are_discarded_and_counted()
    {
        Build(20, 40);
        var outp = new List<(uint Ts, bool Lost)>();
        Push(0); Tick(outp);
        Push(160); Push(160); Tick(outp);      // duplicate while buffered
        Push(480); Tick(outp);                 // 320 missing
        Push(640); Tick(outp);                 // 0 plays
        Push(800); Tick(outp);                 // 160 plays
        Push(960); Tick(outp);                 // 320 due: concealed
        Push(320); Push(0); Tick(outp);        // 320 arrives late; 0 again (already played)
        Tick(outp);
        Tick(outp);
        Assert.Equal(new (uint, bool)[] { (0, false), (160, false), (320, true), (480, false), (640, false), (800, false), (960, false) }, outp);
        var s = Jb.Statistics;
        Assert.Equal(1, s.Late);
        Assert.Equal(2, s.Duplicates);
        Assert.Equal(1, s.Concealed);
    }

    [Fact]
    public void Timestamps_wrapping_past_2_pow_32_play_in_order()
    {
        Build(20, 40);
        uint start = uint.MaxValue - 479; // frames at -480, -320, -160, 0, 160 …
        var outp = new List<(uint Ts, bool Lost)>();
        for (int i = 0; i < 8; i++)
        {
            Push(unchecked(start + (uint)(i * 160)));
            Tick(outp);
        }

        Tick(outp);
        Tick(outp);
        Assert.Equal(8, outp.Count);
        Assert.All(outp, o => Assert.False(o.Lost));
        for (int i = 0; i < 8; i++) Assert.Equal(unchecked(start + (uint)(i * 160)), outp[i].Ts);
        Assert.Equal(0, Jb.Statistics.Resyncs);
    }

    [Fact]
    public void A_timestamp_jump_resyncs_the_playout_point()
    {
        Build(20, 40);
        var outp = new List<(uint Ts, bool Lost)>();
        for (int i = 0; i < 5; i++)
        {
            Push((uint)(i * 160));
            Tick(outp);
        }

        Tick(outp);
        Tick(outp);
        Assert.Equal(5, outp.Count);

        // A new source after a transfer: unrelated timestamps (the receiver marks the first packet of a new SSRC).
        outp.Clear();
        uint jump = 3_000_000_000;
        for (int i = 0; i < 5; i++)
        {
            Push(jump + (uint)(i * 160), marker: i == 0);
            Tick(outp);
        }

        Tick(outp);
        Tick(outp);
        Assert.Equal(1, Jb.Statistics.Resyncs);
        var real = outp.Where(o => !o.Lost).Select(o => o.Ts).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => jump + (uint)(i * 160)), real);
        Assert.Equal(0, Jb.Statistics.Late);
    }

    [Fact]
    public void A_new_talkspurt_after_silence_resyncs_instead_of_waiting()
    {
        Build(20, 40);
        var outp = new List<(uint Ts, bool Lost)>();
        for (int i = 0; i < 3; i++)
        {
            Push((uint)(i * 160));
            Tick(outp);
        }

        for (int i = 0; i < 10; i++) Tick(outp); // 200 ms of silence (DTX): the buffer conceals
        outp.Clear();
        uint spurt = 3 * 160 + 8000; // one second later in media time
        for (int i = 0; i < 3; i++)
        {
            Push(spurt + (uint)(i * 160), marker: i == 0);
            Tick(outp);
        }

        Tick(outp);
        Tick(outp);
        Assert.Equal(1, Jb.Statistics.Resyncs);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => spurt + (uint)(i * 160)), outp.Where(o => !o.Lost).Select(o => o.Ts));
    }

    [Theory]
    [InlineData(10, 20)]
    [InlineData(20, 30)]
    [InlineData(20, 40)]
    [InlineData(10, 30)]
    public void Any_clock_period_against_any_packet_time_plays_every_frame_once(int periodMs, int ptimeMs)
    {
        Build(periodMs, 60);
        uint dur = (uint)(8 * ptimeMs);
        int frames = 20;
        int ticks = (frames * ptimeMs / periodMs) + (200 / periodMs);
        var outp = new List<(uint Ts, bool Lost)>();
        int nextFrame = 0;
        for (int tick = 0; tick < ticks; tick++)
        {
            // Frames are sent every ptime; deliver each at the first tick at or after its send time.
            while (nextFrame < frames && nextFrame * ptimeMs <= tick * periodMs)
            {
                Push(7000 + ((uint)nextFrame * dur));
                nextFrame++;
            }

            Tick(outp);
        }

        Assert.Equal(Enumerable.Range(0, frames).Select(i => (7000 + ((uint)i * dur), false)), outp.Take(frames));
        Assert.Equal(dur, Jb.FrameUnits);
        Assert.Equal(frames, Jb.Statistics.Played);
        Assert.Equal(0, Jb.Statistics.Late);
    }

    [Fact]
    public void A_full_buffer_drops_the_oldest_and_counts_overflow()
    {
        Build(20, 60, capacity: 4);
        for (uint i = 0; i < 6; i++) Push(i * 160);
        _clock!.Advance();
        var s = Jb.Statistics;
        Assert.Equal(2, s.Overflow);
        Assert.Equal(4, s.Buffered);
        _clock.Advance(10);
        var outp = TakeOut();
        Assert.Equal([320u, 480, 640, 800], outp.Where(f => !f.IsLost).Select(f => f.Timestamp.Value));
    }

    [Fact]
    public void After_a_long_gap_the_buffer_goes_idle_and_the_next_packet_starts_afresh()
    {
        Build(20, 40);
        var outp = new List<(uint Ts, bool Lost)>();
        Push(0);
        for (int i = 0; i < 80; i++) Tick(outp); // 1.6 s with nothing more
        Assert.False(Jb.IsPlaying);
        int concealed = outp.Count(o => o.Lost);
        Assert.Equal(50, concealed); // 1 s of 20 ms placeholders, then silence
        outp.Clear();
        Push(123_456);
        for (int i = 0; i < 3; i++) Tick(outp);
        Assert.Equal([(123_456u, false)], outp);
        Assert.True(Jb.IsPlaying);
        Assert.Equal(0, Jb.Statistics.Late);
    }

    [Fact]
    public async Task Stopping_the_graph_returns_buffered_frames()
    {
        Build(20, 60);
        var frames = new List<EncodedFrame>();
        for (uint i = 0; i < 3; i++)
        {
            var f = EncodedFrame.Rent(10);
            f.Timestamp = new RtpTimestamp(i * 160);
            frames.Add(f);
            Jb.Input.Write(f);
        }

        _clock!.Advance();
        Assert.Equal(3, Jb.Statistics.Buffered);
        await _graph!.StopAsync(TimeSpan.Zero);
        Assert.Equal(0, Jb.Statistics.Buffered);
    }

    public async ValueTask DisposeAsync()
    {
        if (_graph is not null) await _graph.StopAsync(TimeSpan.Zero);
    }

    private void Build(int periodMs, int delayMs, int capacity = 64)
    {
        _clock = new MediaClock(TimeSpan.FromMilliseconds(periodMs), manual: true);
        _graph = new MediaGraph(_clock, "jb-test");
        _jb = _graph.Add(new FixedJitterBufferNode("jb", Rate, TimeSpan.FromMilliseconds(delayMs), capacity));
        _sink = _graph.Add(new SinkNode<EncodedFrame>());
        _graph.Connect(_jb.Output, _sink.Input);
        _graph.Start();
    }

    private void Push(uint ts, bool marker = false, int payloadType = 0, byte fill = 0, int length = 160)
    {
        var f = EncodedFrame.Rent(length);
        f.Payload.Fill(fill);
        f.PayloadType = payloadType;
        f.Timestamp = new RtpTimestamp(ts);
        f.Marker = marker;
        Jb.Input.Write(f);
    }

    private List<EncodedFrame> TakeOut() => _sink!.TakeAll();

    private void Tick(List<(uint Ts, bool Lost)> outp)
    {
        _clock!.Advance();
        foreach (var f in TakeOut())
        {
            outp.Add((f.Timestamp.Value, f.IsLost));
            f.Dispose();
        }
    }
}
