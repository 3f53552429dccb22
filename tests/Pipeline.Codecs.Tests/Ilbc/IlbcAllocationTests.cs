using Pipeline.Codecs.Ilbc;

namespace Pipeline.Codecs.Tests.Ilbc;

/// <summary>Runs in the allocation collection (not in parallel with others).</summary>
[Collection(nameof(SteadyStateAllocationTests))]
public class IlbcAllocationTests
{
    [Theory]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public void Encode_decode_and_conceal_allocate_nothing_per_frame(IlbcMode mode)
    {
        int samples = (int)mode * 8, bytes = IlbcFile.FrameLength(mode);
        var pcm = IlbcTestSignals.SpeechLike(seconds: 0.6);
        var enc = new IlbcEncoder(mode);
        var dec = new IlbcDecoder(mode);
        var payload = new byte[bytes];
        var output = new short[samples];
        var odd = new short[100];
        int frame = 0;
        int frames = pcm.Length / samples;
        void One()
        {
            enc.Encode(pcm.AsSpan(frame % frames * samples, samples), payload);
            if (frame % 7 == 3) dec.Conceal(output);
            else if (frame % 11 == 5) dec.Conceal(odd);
            else dec.Decode(payload, output);
            frame++;
        }

        for (int i = 0; i < 50; i++) One();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
