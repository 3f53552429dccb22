using Pipeline.Core.Rtp;

namespace Pipeline.Core.Tests.Rtp;

public class RtpReceiveStateTests
{
    [Fact]
    public void Interarrival_jitter_follows_rfc3550_a8_on_a_synthetic_series()
    {
        var s = new RtpReceiveState(1);
        // The first packet only starts probation (A.1); the second makes the source valid and sets the transit baseline.
        Assert.False(s.Update(99, unchecked((uint)-160), 800));
        // ts:      0     160   320   480   640   (20 ms at 8 kHz)
        // arrival: 1000  1170  1320  1500  1640
        // transit: 1000  1010  1000  1020  1000  -> |D| = 10, 10, 20, 20
        // J = 0 + (10-0)/16 = 0.625; +(10-0.625)/16 = 1.2109375; +(20-1.2109375)/16 = 2.38525390625;
        //   +(20-2.38525390625)/16 = 3.486175537109375
        Assert.True(s.Update(100, 0, 1000));
        Assert.True(s.Update(101, 160, 1170));
        Assert.True(s.Update(102, 320, 1320));
        Assert.True(s.Update(103, 480, 1500));
        Assert.True(s.Update(104, 640, 1640));
        Assert.Equal(3.486175537109375, s.Jitter, 12);
        Assert.Equal(3u, s.MakeReportBlock(0, 0).Jitter);
    }

    [Fact]
    public void Jitter_is_correct_across_timestamp_and_arrival_wraparound()
    {
        var s = new RtpReceiveState(1);
        s.Update(1, uint.MaxValue - 400, uint.MaxValue - 100);
        s.Update(2, uint.MaxValue - 240, unchecked(uint.MaxValue + 60u));   // transit 300
        s.Update(3, 79, 399);    // ts wrapped, arrival wrapped; transit 320 -> D = 20
        Assert.Equal(20 / 16.0, s.Jitter, 12);
    }

    [Fact]
    public void Loss_is_counted_across_sequence_wraparound()
    {
        var s = new RtpReceiveState(7);
        ushort[] arrivals = [65530, 65531, 65532, /* 65533 lost */ 65534, 65535, 0, 1, /* 2, 3 lost */ 4, 5, 6, 7, 8, 9];
        uint ts = 0;
        foreach (var seq in arrivals) s.Update(seq, ts += 160, ts);

        // Base is 65531 (65530 was probation); received 12; extended max 65536 + 9.
        Assert.Equal(65545u, s.ExtendedHighestSequence);
        Assert.Equal(15, s.Expected);
        Assert.Equal(12, s.Received);
        Assert.Equal(3, s.Lost);
        var block = s.MakeReportBlock(0, 0);
        Assert.Equal(3, block.CumulativeLost);
        Assert.Equal(3 * 256 / 15, block.FractionLost);
        Assert.Equal(65545u, block.ExtendedHighestSequence);

        // Next interval: 10 packets, none lost.
        for (ushort q = 10; q < 20; q++) s.Update(q, ts += 160, ts);
        block = s.MakeReportBlock(0, 0);
        Assert.Equal(0, block.FractionLost);
        Assert.Equal(3, block.CumulativeLost);
    }

    [Fact]
    public void Duplicates_count_as_received_so_cumulative_loss_can_go_negative()
    {
        var s = new RtpReceiveState(7);
        for (ushort q = 10; q < 15; q++) s.Update(q, q, q);
        s.Update(13, 13, 13);
        s.Update(14, 14, 14);
        Assert.Equal(-2, s.Lost);
        Assert.Equal(-2, s.MakeReportBlock(0, 0).CumulativeLost);
    }

    [Fact]
    public void A_large_sequence_jump_restarts_the_source_only_after_two_sequential_packets()
    {
        var s = new RtpReceiveState(7);
        for (ushort q = 100; q < 110; q++) s.Update(q, q, q);
        Assert.Equal(9, s.Received);
        Assert.False(s.Update(40000, 0, 0)); // one wild packet: dropped, nothing restarts
        Assert.Equal(109u, s.ExtendedHighestSequence);
        Assert.True(s.Update(110, 0, 0));     // the old stream goes on
        Assert.False(s.Update(50000, 0, 0));
        Assert.True(s.Update(50001, 0, 0));   // second sequential packet confirms the restart
        Assert.Equal(50001u, s.ExtendedHighestSequence);
        Assert.Equal(1, s.Received);
        Assert.Equal(0, s.Lost);
    }

    [Fact]
    public void Rtp_units_from_stopwatch_ticks_use_the_clock_rate()
    {
        long oneSecond = System.Diagnostics.Stopwatch.Frequency;
        Assert.Equal(8000u, RtpReceiveState.ToRtpUnits(oneSecond, 8000));
        Assert.Equal(48000u * 3 / 2, RtpReceiveState.ToRtpUnits(oneSecond * 3 / 2, 48000));
    }
}
