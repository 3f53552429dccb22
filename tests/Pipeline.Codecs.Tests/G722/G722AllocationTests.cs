using Pipeline.Codecs.G722;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.G722;

/// <summary>Runs in the allocation collection (not in parallel with others: frame pools are process-wide).</summary>
[Collection(nameof(SteadyStateAllocationTests))]
public class G722AllocationTests
{
    [Fact]
    public void Encode_decode_and_conceal_allocate_nothing_per_frame()
    {
        var pcm = G722TestSignals.SweepAndNoise(seconds: 0.5);
        var enc = new G722Encoder();
        var dec = new G722Decoder();
        var payload = new byte[160];
        var output = new short[320];
        int frame = 0;
        void One()
        {
            var input = pcm.AsSpan(frame % 25 * 320, 320);
            enc.Encode(input, payload);
            if (frame % 7 == 3) dec.Conceal(output);
            else dec.Decode(payload, output);
            frame++;
        }

        for (int i = 0; i < 200; i++) One();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(160)]
    [InlineData(320)]
    [InlineData(480)]
    public void Concealing_bursts_of_lost_frames_allocates_nothing(int frame)
    {
        // Bursts of 1 to 6 frames (each starts with the LPC and pitch analysis), cross-fades into good frames, 10–30 ms frames.
        var coded = new byte[8000];
        new G722Encoder().Encode(G722TestSignals.Voiced(1.0), coded);
        var dec = new G722Decoder();
        var output = new short[frame];
        int f = 0;
        void Burst(int lost)
        {
            for (int i = 0; i < 3; i++, f++) dec.Decode(coded.AsSpan(f * frame / 2 % (coded.Length - frame), frame / 2), output);
            for (int i = 0; i < lost; i++) dec.Conceal(output);
        }

        for (int b = 1; b <= 6; b++) Burst(b);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < 50; n++)
        {
            for (int b = 1; b <= 6; b++) Burst(b);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Encoder_and_decoder_nodes_with_G722_allocate_nothing_per_frame_in_steady_state()
    {
        var encoderNode = new AudioEncoderNode("enc", new G722Encoder(), 9, TimeSpan.FromMilliseconds(20));
        var decoderNode = new AudioDecoderNode("dec", 9, new G722Decoder());
        long position = 0;
        uint ts = 0;
        int n = 0;
        void One()
        {
            var f = AudioFrame.Rent(SampleRate.Hz16000, 320);
            f.Samples.Fill((short)(n * 37));
            f.Position = position;
            position += 320;
            encoderNode.Process(f);

            bool lost = n % 10 == 0;
            var p = EncodedFrame.Rent(lost ? 0 : 160);
            p.Payload.Fill(0x5A);
            p.PayloadType = 9;
            p.IsLost = lost;
            p.Timestamp = new RtpTimestamp(ts);
            p.DurationUnits = 160;
            ts += 160;
            decoderNode.Process(p);
            n++;
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One();
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(position / 320, encoderNode.PacketsEncoded);
    }
}
