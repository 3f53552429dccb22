using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Rtp;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Rtp;

public class RtpSessionTests
{
    [Fact]
    public async Task Two_sessions_exchange_rtp_over_udp_with_matching_statistics()
    {
        await using var a = new RtpPeer("a");
        await using var b = new RtpPeer("b");
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        b.Session.SetRemote(a.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();

        a.SendFrames(50);
        var frames = await b.Frames.WaitForAsync(50);
        Assert.Equal(50, frames.Count);
        Assert.True(frames[0].Marker, "the first packet of a stream carries the marker bit");
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(0, frames[i].PayloadType);
            Assert.Equal(160, frames[i].Length);
            Assert.Equal((byte)i, frames[i].Payload[0]);
            Assert.Equal(frames[0].Timestamp + (uint)(i * 160), frames[i].Timestamp);
            if (i > 0) Assert.False(frames[i].Marker);
        }

        Assert.NotEqual(0u, frames[0].Timestamp.Value); // random timestamp base (fails 1 in 2^32)
        foreach (var f in frames) f.Dispose();

        var sa = a.Session.Statistics;
        var sb = b.Session.Statistics;
        Assert.Equal(50, sa.PacketsSent);
        Assert.Equal(50 * 160, sa.OctetsSent);
        Assert.Equal(50, sb.PacketsReceived);
        Assert.Equal(sa.OctetsSent, sb.OctetsReceived);
        Assert.Equal(a.Session.LocalSsrc, sb.RemoteSsrc);
        Assert.Equal(0, sb.PacketsLost);
        Assert.Equal(49, sb.PacketsExpected); // the first packet is the A.1 probation packet
        Assert.Equal(0, sb.MalformedPackets);
        Assert.True(sb.Jitter >= 0);
    }

    [Fact]
    public async Task Rtcp_sender_and_receiver_reports_flow_both_ways_and_give_rtt()
    {
        await using var a = new RtpPeer("a", rtcpInterval: TimeSpan.FromMilliseconds(100));
        await using var b = new RtpPeer("b", rtcpInterval: TimeSpan.FromMilliseconds(100));
        a.Session.SetRemote(b.Session.LocalRtpEndPoint, b.Session.LocalRtcpEndPoint);
        b.Session.SetRemote(a.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();
        a.SendFrames(30);
        Assert.Equal(30, (await b.Frames.WaitForAsync(30)).Count);

        // Tick both clocks until A has heard B's RR about A's stream, with LSR/DLSR answering A's SR.
        bool ok = await Wait.UntilAsync(
            () => a.Session.Statistics.RoundTripTime is not null && b.Session.Statistics.RemotePacketsSent == 30,
            TimeSpan.FromSeconds(5),
            () =>
            {
                a.Clock.Advance();
                b.Clock.Advance();
            });
        Assert.True(ok, $"RTCP exchange incomplete: a={a.Session.Statistics}, b={b.Session.Statistics}");
        var sa = a.Session.Statistics;
        var sb = b.Session.Statistics;
        Assert.True(sa.RtcpPacketsSent > 0 && sb.RtcpPacketsSent > 0);
        Assert.True(sa.RtcpPacketsReceived > 0 && sb.RtcpPacketsReceived > 0);
        Assert.Equal(0, sa.RemotePacketsLost);
        Assert.Equal((byte)0, sa.RemoteFractionLost);
        Assert.NotNull(sa.RemoteJitter);
        Assert.InRange(sa.RoundTripTime!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Null(sb.RoundTripTime); // B never sent RTP, so it sent no SR for A to answer
        Assert.Equal(0, sa.MalformedPackets + sb.MalformedPackets);
    }

    [Fact]
    public async Task Stopping_the_graph_sends_rtcp_bye()
    {
        await using var a = new RtpPeer("a");
        await using var b = new RtpPeer("b");
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();
        a.SendFrames(3);
        Assert.Equal(3, (await b.Frames.WaitForAsync(3)).Count);
        await a.Graph.StopAsync(TimeSpan.Zero);
        Assert.True(await Wait.UntilAsync(() => b.Session.Statistics.RemoteBye), "B should see A's BYE");
    }

    [Fact]
    public async Task Retargeting_keeps_ssrc_and_sequence_and_a_pause_sets_the_marker()
    {
        await using var a = new RtpPeer("a");
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        a.Session.SetRemote((IPEndPoint)first.LocalEndPoint!);
        a.Start();

        a.SendFrames(5, first: 0);
        var p1 = await ReceiveAsync(first, 5);
        a.Session.SetRemote((IPEndPoint)second.LocalEndPoint!); // transfer: new destination, same stream
        a.SendFrames(5, first: 5);
        var p2 = await ReceiveAsync(second, 5);
        a.Session.SetRemote(null); // hold: nothing is sent, no sequence numbers used
        a.SendFrames(5, first: 10);
        await Task.Delay(100);
        a.Session.SetRemote((IPEndPoint)second.LocalEndPoint!);
        a.SendFrames(2, first: 15);
        var p3 = await ReceiveAsync(second, 2);

        var all = p1.Concat(p2).Concat(p3).ToList();
        Assert.All(all, p => Assert.Equal(a.Session.LocalSsrc, p.Ssrc));
        for (int i = 1; i < all.Count; i++) Assert.Equal((ushort)(all[0].Seq + i), all[i].Seq);
        Assert.True(all[0].Marker);
        Assert.False(all[5].Marker, "a retarget without a pause is the same talkspurt");
        Assert.True(all[10].Marker, "the first packet after a pause carries the marker");
        Assert.Equal(all[0].Ts + (15u * 160), all[10].Ts); // timestamps follow the media clock through the pause
        Assert.Equal(0, second.Available); // nothing from the paused frames arrived late
    }

    [Fact]
    public async Task Symmetric_rtp_latches_onto_the_source_address()
    {
        await using var a = new RtpPeer("a");
        await using var b = new RtpPeer("b", symmetric: true);
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();
        Assert.Null(b.Session.RemoteRtpEndPoint);
        a.SendFrames(3);
        Assert.Equal(3, (await b.Frames.WaitForAsync(3)).Count);
        Assert.Equal(a.Session.LocalRtpEndPoint, b.Session.RemoteRtpEndPoint);
        b.SendFrames(2);
        Assert.Equal(2, (await a.Frames.WaitForAsync(2)).Count);
    }

    [Fact]
    public async Task Telephone_events_become_one_start_and_one_end_dtmf_item()
    {
        await using var a = new RtpPeer("a");
        await using var b = new RtpPeer("b");
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();
        // Digit 5: three progress packets and the end packet three times (RFC 4733 §2.5.1.4), same timestamp.
        ushort[] durations = [160, 320, 480, 640, 640, 640];
        for (int i = 0; i < durations.Length; i++)
        {
            var f = EncodedFrame.Rent(4);
            DtmfEvent.WritePayload(f.Payload, 5, end: i >= 3, volume: 10, durations[i]);
            f.PayloadType = 101;
            f.Timestamp = new RtpTimestamp(8000);
            f.Marker = i == 0;
            a.Session.Sender.Input.Write(f);
        }

        a.SendFrames(1, first: 60); // audio after it, to know everything arrived
        var frames = await b.Frames.WaitForAsync(1);
        Assert.Single(frames);
        var events = b.Events.TakeAll();
        Assert.Equal(2, events.Count);
        Assert.Equal('5', events[0].Digit);
        Assert.False(events[0].IsEnd);
        Assert.True(events[1].IsEnd);
        Assert.Equal(640, events[1].DurationUnits);
        Assert.Equal(10, events[1].Volume);
        Assert.Equal(events[0].Timestamp, events[1].Timestamp);
    }

    [Fact]
    public async Task Garbage_on_the_rtp_and_rtcp_ports_is_counted_and_ignored()
    {
        await using var b = new RtpPeer("b");
        await using var a = new RtpPeer("a");
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        b.Start();
        a.Start();
        using var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        junk.SendTo(new byte[] { 1, 2, 3 }, b.Session.LocalRtpEndPoint);
        junk.SendTo(Convert.FromHexString("40001234DEADBEEF01020304"), b.Session.LocalRtpEndPoint);
        junk.SendTo(Convert.FromHexString("81C90007"), b.Session.LocalRtcpEndPoint);
        Assert.True(await Wait.UntilAsync(() => b.Session.Statistics.MalformedPackets == 3));
        a.SendFrames(4);
        Assert.Equal(4, (await b.Frames.WaitForAsync(4)).Count);
    }

    [Fact]
    public async Task Socket_pair_binds_an_even_rtp_port_with_rtcp_right_above_and_skips_taken_pairs()
    {
        // Take the only pair of a tiny range, then ask for one from a range where the first pair is taken.
        await using var p1 = RtpSocketPair.Bind(IPAddress.Loopback, 40000, 40001);
        Assert.Equal(40000, p1.RtpEndPoint.Port);
        Assert.Equal(40001, p1.RtcpEndPoint.Port);
        await using var p2 = RtpSocketPair.Bind(IPAddress.Loopback, 40000, 40003);
        Assert.Equal(40002, p2.RtpEndPoint.Port);
        Assert.Equal(40003, p2.RtcpEndPoint.Port);
        Assert.Throws<SocketException>(() => RtpSocketPair.Bind(IPAddress.Loopback, 40000, 40003));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpSocketPair.Bind(IPAddress.Loopback, 40001, 40001));
    }

    [Fact]
    public async Task Send_and_receive_path_allocates_almost_nothing_per_packet_in_steady_state()
    {
        await using var a = new RtpPeer("a");
        await using var b = new RtpPeer("b");
        var consumer = b.Graph.Add(new SlowConsumerNode<EncodedFrame>(TimeSpan.Zero, EdgePolicy.DropOldest));
        b.Graph.Connect(b.Session.Receiver.Output, consumer.Input);
        a.Session.SetRemote(b.Session.LocalRtpEndPoint);
        a.Start();
        b.Start();

        await Pump(a, consumer, 500, 0); // warm up: JIT, pools, socket async machinery
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Pump(a, consumer, 2000, 500);
        long perPacket = (GC.GetTotalAllocatedBytes(precise: true) - before) / 2000;
        // Sockets, pooled frames and the channels reuse everything; what is left is the runtime's async plumbing.
        Assert.True(perPacket < 100, $"{perPacket} bytes allocated per packet");

        static async Task Pump(RtpPeer a, SlowConsumerNode<EncodedFrame> consumer, int count, int first)
        {
            // Frames that reached the consumer's (real-time, drop-oldest) input, consumed or dropped there.
            long Arrived() => consumer.Consumed + consumer.Input.Dropped;
            long target = Arrived() + count;
            var input = a.Session.Sender.Input;
            for (int i = first; i < first + count; i++)
            {
                var f = EncodedFrame.Rent(160);
                f.Timestamp = new RtpTimestamp((uint)(i * 160));
                while (input.Pending >= 8) Thread.Yield();
                input.Write(f);
                if (i % 50 == 0) await Task.Delay(1); // let the receiver keep up (UDP drops when flooded)
            }

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Arrived() < target - 20 && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.True(Arrived() >= target - 20, $"only {Arrived()} of {target} frames arrived");
        }
    }

    private static async Task<List<(ushort Seq, uint Ts, uint Ssrc, bool Marker)>> ReceiveAsync(Socket s, int count)
    {
        var list = new List<(ushort, uint, uint, bool)>();
        var buf = new byte[2048];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (list.Count < count)
        {
            int n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token);
            Assert.True(RtpHeader.TryRead(buf.AsSpan(0, n), out var h));
            list.Add((h.SequenceNumber, h.Timestamp.Value, h.Ssrc, h.Marker));
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(8)), h.Ssrc);
        }

        return list;
    }
}
