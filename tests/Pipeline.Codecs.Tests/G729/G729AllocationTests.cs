using Pipeline.Codecs.G729;

namespace Pipeline.Codecs.Tests.G729;

/// <summary>Runs in the allocation collection (not in parallel with others: frame pools are process-wide).</summary>
[Collection(nameof(SteadyStateAllocationTests))]
public class G729AllocationTests
{
    [RequiresBcg729Fact]
    public void Encode_decode_and_conceal_allocate_nothing_per_frame()
    {
        var pcm = G729TestSignals.Speech(0.5);
        using var enc = new G729Encoder();
        using var dec = new G729Decoder();
        var payload = new byte[20];
        var output = new short[160];
        int frame = 0;
        void One()
        {
            int n = enc.Encode(pcm.AsSpan(frame % 25 * 160, 160), payload);
            if (frame % 7 == 3 || n == 0) dec.Conceal(output);
            else dec.Decode(payload.AsSpan(0, n), output);
            frame++;
        }

        for (int i = 0; i < 100; i++) One();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
