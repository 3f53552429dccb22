using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Opus;

/// <summary>Runs in the allocation collection (not in parallel with others: frame pools are process-wide).</summary>
[Collection(nameof(SteadyStateAllocationTests))]
public class OpusAllocationTests(ITestOutputHelper output)
{
    [RequiresLibOpusFact]
    public void Native_encode_decode_conceal_and_fec_allocate_nothing_per_frame()
    {
        var pcm = OpusTestSupport.ToneAndSpeech(16000, 0.5);
        using var enc = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000, UseInbandFec = true, PacketLossPercent = 10 }, OpusImplementation.Native);
        using var dec = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, OpusImplementation.Native);
        var payload = new byte[1500];
        var decoded = new short[320];
        int frame = 0;
        void One()
        {
            int n = enc.Encode(pcm.AsSpan(frame % 25 * 320, 320), payload);
            if (frame % 7 == 3) dec.Conceal(decoded);
            else if (frame % 7 == 5) dec.DecodeFec(payload.AsSpan(0, n), decoded);
            else dec.Decode(payload.AsSpan(0, n), decoded);
            if (frame % 50 == 0) enc.Bitrate = 20000 + (frame % 3 * 4000); // a setting change on the way is free too
            frame++;
        }

        for (int i = 0; i < 100; i++) One();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [RequiresLibOpusFact]
    public void Encoder_and_decoder_nodes_with_native_opus_allocate_nothing_and_step_rtp_time_by_48k_units()
    {
        using var encoder = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000 }, OpusImplementation.Native);
        using var decoder = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, OpusImplementation.Native);
        var encoderNode = new AudioEncoderNode("enc", encoder, 111, TimeSpan.FromMilliseconds(20), new RtpTimestamp(0));
        var decoderNode = new AudioDecoderNode("dec", 111, decoder);
        var pcm = OpusTestSupport.ToneAndSpeech(16000, 0.5);
        long position = 0;
        int n = 0;
        uint ts = 0;
        byte[] packet = new byte[1500];
        int packetLength;
        using (var probe = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000 }, OpusImplementation.Native))
        {
            packetLength = probe.Encode(pcm.AsSpan(0, 320), packet);
        }

        void One()
        {
            var f = AudioFrame.Rent(SampleRate.Hz16000, 320);
            pcm.AsSpan(n % 25 * 320, 320).CopyTo(f.Samples);
            f.Position = position;
            position += 320;
            encoderNode.Process(f);

            bool lost = n % 10 == 0;
            var p = EncodedFrame.Rent(lost ? 0 : packetLength);
            if (!lost) packet.AsSpan(0, packetLength).CopyTo(p.Payload);
            p.PayloadType = 111;
            p.IsLost = lost;
            p.Timestamp = new RtpTimestamp(ts);
            p.DurationUnits = 960; // 20 ms on the 48 kHz RTP clock
            ts += 960;
            decoderNode.Process(p);
            n++;
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One();
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(position / 320, encoderNode.PacketsEncoded);
        Assert.Equal(new RtpTimestamp((uint)(position / 320 * 960)), encoderNode.NextTimestamp); // 960 units per 20 ms at 16 kHz
        Assert.True(decoderNode.FramesConcealed > 0 && decoderNode.FramesDecoded > 0);
        Assert.Equal(0, decoderNode.DecodeFailures);
    }

    [RequiresLibOpusFact]
    public void Decoder_node_rebuilding_lost_frames_from_native_opus_fec_allocates_nothing()
    {
        var pcm = OpusTestSupport.ToneAndSpeech(16000, 1.0);
        using var encoder = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000, UseInbandFec = true, PacketLossPercent = 20 }, OpusImplementation.Native);
        using var decoder = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, OpusImplementation.Native);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);
        var decoderNode = new AudioDecoderNode("dec", 111, decoder);
        int n = 0;
        uint ts = 0;

        void One()
        {
            // Every 5th frame lost, its placeholder carrying the next packet (as the jitter buffer makes it).
            bool lost = n % 5 == 4;
            var packet = packets[(lost ? n + 1 : n) % packets.Count];
            var p = EncodedFrame.Rent(packet.Length);
            packet.CopyTo(p.Payload);
            p.PayloadType = 111;
            p.IsLost = lost;
            p.Timestamp = new RtpTimestamp(ts);
            p.DurationUnits = 960;
            ts += 960;
            decoderNode.Process(p);
            n++;
        }

        Steady.WarmUp(() =>
        {
            for (int i = 0; i < 100; i++) One();
        });
        long recoveredBefore = decoderNode.FramesRecovered;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) One();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(decoderNode.FramesRecovered - recoveredBefore > 50, $"{decoderNode.FramesRecovered - recoveredBefore} of 100 lost frames rebuilt from FEC");
        Assert.Equal(0, decoderNode.DecodeFailures);
    }

    [Fact]
    public void Concentus_allocation_per_frame_is_measured()
    {
        foreach (int rate in new[] { 48000, 16000 })
        {
            var pcm = OpusTestSupport.ToneAndSpeech(rate, 0.5);
            int frame = rate / 50;
            using var enc = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = new SampleRate(rate) }, OpusImplementation.Managed);
            using var dec = OpusCodec.CreateDecoder(new SampleRate(rate), 1, OpusImplementation.Managed);
            var payload = new byte[1500];
            var decoded = new short[frame];
            int n = 0;
            for (int i = 0; i < 50; i++) n = enc.Encode(pcm.AsSpan(i % 25 * frame, frame), payload);
            for (int i = 0; i < 50; i++) dec.Decode(payload.AsSpan(0, n), decoded);

            const int frames = 200;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++) n = enc.Encode(pcm.AsSpan(i % 25 * frame, frame), payload);
            long encodeBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / frames;
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++) dec.Decode(payload.AsSpan(0, n), decoded);
            long decodeBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / frames;
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++) dec.Conceal(decoded);
            long concealBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / frames;
            output.WriteLine($"Concentus at {rate} Hz mono, 20 ms: encode {encodeBytes} B, decode {decodeBytes} B, conceal {concealBytes} B per frame");

            // The managed fallback is not allocation-free (Concentus allocates scratch arrays per frame); keep it bounded.
            Assert.InRange(encodeBytes, 0, 256 * 1024);
            Assert.InRange(decodeBytes, 0, 64 * 1024);
        }
    }
}
