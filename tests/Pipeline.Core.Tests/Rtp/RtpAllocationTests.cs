using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Rtp;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection
{
}

/// <summary>Measures process-wide allocation, so it runs alone (no other test allocating meanwhile).</summary>
[Collection(nameof(AllocationCollection))]
public class RtpAllocationTests
{
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
}
