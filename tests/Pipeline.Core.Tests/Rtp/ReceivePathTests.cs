using System.Net;
using System.Net.Sockets;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;
using Pipeline.Core.Rtp;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Rtp;

public class ReceivePathTests
{
    [Fact]
    public async Task Udp_to_receiver_to_jitter_buffer_reorders_and_conceals_on_the_clock()
    {
        await using var b = new RtpPeer("b");
        var jb = b.Graph.Add(new FixedJitterBufferNode("jb", new RtpClockRate(8000), TimeSpan.FromMilliseconds(60)));
        var played = b.Graph.Add(new SinkNode<EncodedFrame>("played"));
        b.Graph.Connect(b.Session.Receiver.Output, jb.Input);
        b.Graph.Connect(jb.Output, played.Input);
        b.Start();

        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var packet = RtpPacket.Rent();
        packet.Ssrc = 99;
        packet.PayloadType = 8;
        var buf = new byte[256];
        // Frames 0..7 sent in the order 0 2 1 3 4 6 7 (5 lost), timestamps from a base near the 32-bit wrap.
        uint tsBase = uint.MaxValue - 500;
        int[] order = [0, 2, 1, 3, 4, 6, 7];
        foreach (int i in order)
        {
            packet.SequenceNumber = (ushort)(65533 + i); // sequence wraps too
            packet.Timestamp = new RtpTimestamp(unchecked(tsBase + (uint)(i * 160)));
            packet.SetPayload(new byte[] { (byte)i });
            s.SendTo(buf.AsSpan(0, packet.Write(buf)), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, b.Session.LocalRtpEndPoint.Port));
        }

        Assert.True(await Wait.UntilAsync(() => jb.Input.Pending == order.Length), "all packets should reach the jitter buffer's input");
        var output = new List<EncodedFrame>();
        for (int t = 0; t < 12; t++)
        {
            b.Clock.Advance();
            output.AddRange(played.TakeAll());
        }

        var firstEight = output.Take(8).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => unchecked(tsBase + (uint)(i * 160))), firstEight.Select(f => f.Timestamp.Value));
        Assert.Equal([0, 1, 2, 3, 4, -1, 6, 7], firstEight.Select(f => f.IsLost ? -1 : f.Payload[0]));
        Assert.Equal(7, jb.Statistics.Played);
        // A.1 probation needs two in-order packets: the reordered start keeps resetting it until seq 0, 1 (frames 3, 4).
        // From there A.3 expects seq 1..4 and misses seq 2 (frame 5).
        Assert.Equal(1, b.Session.Statistics.PacketsLost);
    }
}
