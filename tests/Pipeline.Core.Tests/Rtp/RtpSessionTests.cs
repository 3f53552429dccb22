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
    public async Task Receiver_report_on_the_wire_carries_the_loss_and_highest_sequence_seen()
    {
        await using var b = new RtpPeer("b", rtcpInterval: TimeSpan.FromMilliseconds(100));
        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        rtcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        b.Session.SetRemote((IPEndPoint)rtp.LocalEndPoint!, (IPEndPoint)rtcp.LocalEndPoint!);
        b.Start();

        // Packets 100..119 from SSRC 0xABCDEF01 with 105 and 106 lost; 65535 -> 0 wrap is covered by unit tests.
        using var packet = RtpPacket.Rent();
        packet.Ssrc = 0xABCDEF01;
        packet.SetPayload(new byte[160]);
        var buf = new byte[256];
        int sent = 0;
        for (ushort seq = 100; seq < 120; seq++)
        {
            if (seq is 105 or 106) continue;
            packet.SequenceNumber = seq;
            packet.Timestamp = new RtpTimestamp(seq * 160u);
            rtp.SendTo(buf.AsSpan(0, packet.Write(buf)), SocketFlags.None, b.Session.LocalRtpEndPoint);
            sent++;
        }

        Assert.Equal(sent, (await b.Frames.WaitForAsync(sent)).Count);
        var rtcpBuf = new byte[1500];
        var receive = rtcp.ReceiveAsync(rtcpBuf, SocketFlags.None);
        Assert.True(await Wait.UntilAsync(() => receive.IsCompleted, TimeSpan.FromSeconds(5), () => b.Clock.Advance()));
        int n = await receive;

        Assert.True(RtcpCompoundReader.Validate(rtcpBuf.AsSpan(0, n)));
        var r = new RtcpCompoundReader(rtcpBuf.AsSpan(0, n));
        Assert.True(r.TryReadNext(out var rr));
        Assert.Equal(RtcpPacketType.ReceiverReport, rr.Type); // B sent no RTP
        Assert.Equal(b.Session.LocalSsrc, rr.Ssrc);
        Assert.True(rr.TryGetReportBlock(0, out var block));
        Assert.Equal(0xABCDEF01u, block.Ssrc);
        Assert.Equal(119u, block.ExtendedHighestSequence);
        Assert.Equal(2, block.CumulativeLost);           // expected 101..119 = 19 (100 was probation), received 17
        Assert.Equal(2 * 256 / 19, block.FractionLost);
        Assert.Equal(0u, block.LastSenderReport);
        Assert.True(r.TryReadNext(out var sdes));
        Assert.True(sdes.TryGetCname(out _, out var cname));
        Assert.Equal(b.Session.Cname, System.Text.Encoding.UTF8.GetString(cname));
        Assert.Equal(2, b.Session.Statistics.PacketsLost);
    }

    [Fact]
    public async Task A_new_ssrc_starts_a_new_source_and_its_first_frame_is_marked()
    {
        await using var b = new RtpPeer("b");
        b.Start();
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var packet = RtpPacket.Rent();
        packet.SetPayload(new byte[20]);
        var buf = new byte[64];
        void Send(uint ssrc, ushort seq)
        {
            packet.Ssrc = ssrc;
            packet.SequenceNumber = seq;
            packet.Timestamp = new RtpTimestamp(seq * 160u);
            s.SendTo(buf.AsSpan(0, packet.Write(buf)), SocketFlags.None, b.Session.LocalRtpEndPoint);
        }

        Send(1, 10);
        Send(1, 11);
        Send(1, 12);
        var before = await b.Frames.WaitForAsync(3);
        Send(2, 5000);
        Send(2, 5001);
        var after = await b.Frames.WaitForAsync(2);
        Assert.Equal([true, false, false], before.Select(f => f.Marker));
        Assert.Equal([true, false], after.Select(f => f.Marker));
        Assert.Equal(2u, b.Session.Statistics.RemoteSsrc);
        Assert.Equal(5, b.Session.Statistics.PacketsReceived);
    }

    [Fact]
    public async Task Remote_of_an_unreachable_address_family_is_refused_with_a_clear_error()
    {
        await using var s = new RtpSession(new RtpSessionOptions { LocalAddress = IPAddress.Loopback });
        var ex = Assert.Throws<ArgumentException>(() => s.SetRemote(new IPEndPoint(IPAddress.IPv6Loopback, 5000)));
        Assert.Contains("InterNetworkV6", ex.Message);
        s.SetRemote(new IPEndPoint(IPAddress.Any, 5000)); // c=0.0.0.0 hold: pause
        Assert.Null(s.RemoteRtpEndPoint);
        s.SetRemote(new IPEndPoint(IPAddress.Loopback, 5000));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5001), s.RemoteRtcpEndPoint);
    }

    [Fact]
    public async Task Rtcp_intervals_are_randomised_around_the_nominal_interval()
    {
        await using var s = new RtpSession(new RtpSessionOptions { LocalAddress = IPAddress.Loopback, RtcpInterval = TimeSpan.FromSeconds(5) });
        var intervals = Enumerable.Range(0, 500).Select(_ => s.NextRtcpInterval(initial: false).TotalSeconds).ToList();
        Assert.All(intervals, t => Assert.InRange(t, (5 * 0.5 / 1.21828) - 1e-9, (5 * 1.5 / 1.21828) + 1e-9));
        Assert.True(intervals.Max() - intervals.Min() > 2, "intervals should spread over the 0.5-1.5 range");
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(s.NextRtcpInterval(initial: true).TotalSeconds <= 2.5 * 1.5 / 1.21828 + 1e-9));
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
