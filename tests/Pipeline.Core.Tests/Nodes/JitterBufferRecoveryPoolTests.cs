using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;
using Pipeline.Core.Tests.Rtp;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Nodes;

/// <summary>Counts rents and returns on the shared frame pool, so it runs alone.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class JitterBufferRecoveryPoolTests
{
    [Fact]
    public async Task Recovery_placeholders_under_steady_loss_return_every_frame_to_the_pool_and_allocate_nothing()
    {
        var pool = EncodedFrame.SharedPool;
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock, "jb-pool");
        var jb = graph.Add(new FixedJitterBufferNode("jb", new RtpClockRate(8000), TimeSpan.FromMilliseconds(60)));
        var sink = graph.Add(new SinkNode<EncodedFrame>());
        graph.Connect(jb.Output, sink.Input);
        long rentedBefore = pool.Rented, returnedBefore = pool.Returned;
        graph.Start();

        int recovered = 0, lost = 0, played = 0;
        void Run(int from, int count)
        {
            for (int i = from; i < from + count; i++)
            {
                if (i % 5 != 4)
                {
                    var f = EncodedFrame.Rent(40 + (i % 7));
                    f.Payload.Fill((byte)i);
                    f.PayloadType = 111;
                    f.Timestamp = new RtpTimestamp((uint)(i * 160));
                    jb.Input.Write(f);
                }

                clock.Advance();
                while (sink.Input.Reader.TryRead(out var o))
                {
                    if (o.HasRecoveryPayload) recovered++;
                    if (o.IsLost) lost++;
                    else played++;
                    o.Dispose();
                }
            }
        }

        Run(0, 200); // warm up: JIT, pool, buffer
        long created = pool.Created;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Run(200, 1000);
        long perTick = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1000;
        Assert.Equal(created, pool.Created);
        Assert.True(perTick == 0, $"{perTick} bytes allocated per tick");

        await graph.StopAsync(TimeSpan.Zero);
        Assert.Equal(239, lost); // every 5th of the 1,197 frames due (frames 4, 9 … 1194; the last 3 still buffered when stopped)
        Assert.Equal(1197 - 239, played);
        Assert.Equal(lost, recovered); // each single loss had its next packet buffered
        Assert.Equal(lost, jb.Statistics.WithRecoveryPayload);
        Assert.Equal(pool.Rented - rentedBefore, pool.Returned - returnedBefore);
    }
}
