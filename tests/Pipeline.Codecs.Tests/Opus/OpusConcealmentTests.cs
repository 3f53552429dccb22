using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.Opus;

public sealed class OpusConcealmentTests(ITestOutputHelper output)
{
    private const int Rate = 16000;
    private const int Frame = 320; // 20 ms

    public static TheoryData<OpusImplementation> Implementations => OpusCodecTests.Implementations;

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Inband_fec_from_the_next_packet_rebuilds_a_lost_frame_far_better_than_concealment(OpusImplementation impl)
    {
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 2.0);
        var options = new OpusEncoderOptions { SampleRate = SampleRate.Hz16000, Bitrate = 24000, UseInbandFec = true, PacketLossPercent = 20 };
        using var encoder = OpusCodec.CreateEncoder(options, impl);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);

        // The stream really carries FEC: the same audio without it makes smaller packets at the same bitrate… or at least different ones.
        using var plainEncoder = OpusCodec.CreateEncoder(options with { UseInbandFec = false, PacketLossPercent = 0 }, impl);
        var plain = OpusTestSupport.EncodeAll(plainEncoder, pcm);
        Assert.False(packets.Zip(plain).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "FEC on must change the stream");

        using var reference = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        var clean = OpusTestSupport.DecodeAll(reference, packets);

        var lost = new HashSet<int> { 20, 37, 52, 66, 81 };
        var fec = Receive(packets, lost, useFec: true, impl);
        var plc = Receive(packets, lost, useFec: false, impl);

        double fecSnr = 0, plcSnr = 0;
        foreach (int k in lost)
        {
            var refFrame = clean.AsSpan(k * Frame, Frame);
            double f = OpusTestSupport.SnrDb(refFrame, fec.AsSpan(k * Frame, Frame));
            double p = OpusTestSupport.SnrDb(refFrame, plc.AsSpan(k * Frame, Frame));
            output.WriteLine($"{impl} frame {k}: FEC {f:F1} dB, PLC {p:F1} dB against the loss-free decode");
            fecSnr += f / lost.Count;
            plcSnr += p / lost.Count;
        }

        output.WriteLine($"{impl}: mean FEC {fecSnr:F1} dB, mean PLC {plcSnr:F1} dB");
        Assert.True(fecSnr > 5, $"FEC frames should be close to the loss-free decode (mean SNR {fecSnr:F1} dB)");
        Assert.True(fecSnr > plcSnr + 5, $"FEC ({fecSnr:F1} dB) should beat concealment ({plcSnr:F1} dB) clearly");
    }

    [RequiresLibOpusFact]
    public void Fec_decode_of_a_packet_without_fec_falls_back_to_concealment()
    {
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 0.6);
        using var encoder = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000 }, OpusImplementation.Native);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);
        using var a = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, OpusImplementation.Native);
        using var b = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, OpusImplementation.Native);
        OpusTestSupport.DecodeAll(a, packets.Take(20));
        OpusTestSupport.DecodeAll(b, packets.Take(20));
        var viaFec = new short[Frame];
        var viaPlc = new short[Frame];
        Assert.Equal(Frame, a.DecodeFec(packets[21], viaFec));
        b.Conceal(viaPlc);
        Assert.Equal(viaPlc, viaFec);
        Assert.True(OpusTestSupport.Rms(viaPlc) > 100, "concealment after voiced audio is not silence");
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Concealment_continues_the_voice_then_fades_over_a_long_gap_and_decoding_resumes(OpusImplementation impl)
    {
        var pcm = OpusTestSupport.ToneAndSpeech(Rate, 1.0);
        using var encoder = OpusCodec.CreateEncoder(new OpusEncoderOptions { SampleRate = SampleRate.Hz16000 }, impl);
        var packets = OpusTestSupport.EncodeAll(encoder, pcm);
        using var decoder = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        var before = OpusTestSupport.DecodeAll(decoder, packets.Take(25));
        double level = OpusTestSupport.Rms(before.AsSpan(before.Length - Frame));

        var gap = new short[Frame * 15]; // 300 ms lost
        decoder.Conceal(gap);
        double first = OpusTestSupport.Rms(gap.AsSpan(0, Frame));
        double last = OpusTestSupport.Rms(gap.AsSpan(gap.Length - Frame));
        output.WriteLine($"{impl}: level before {level:F0}, first concealed 20 ms {first:F0}, last {last:F0}");
        Assert.True(first > level * 0.3, "the first concealed frame carries on the voice");
        Assert.True(last < first * 0.5, "a long gap fades out");

        var after = OpusTestSupport.DecodeAll(decoder, packets.Skip(40));
        var (corr, _) = OpusTestSupport.BestCorrelation(pcm.AsSpan(40 * Frame), after, encoder.Lookahead - 8, encoder.Lookahead + 16, skip: 1600);
        Assert.True(corr > 0.85, $"decoding resumes after the gap (correlation {corr:F3})");
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Conceal_fills_any_length_including_odd_tails_and_fec_needs_whole_frames(OpusImplementation impl)
    {
        using var decoder = OpusCodec.CreateDecoder(SampleRate.Hz48000, 2, impl);
        var pcm = new short[2 * 1000]; // 1000 samples: 2.5 ms is 120, so a 40-sample tail
        Array.Fill(pcm, (short)1234);
        decoder.Conceal(pcm);
        Assert.DoesNotContain((short)1234, pcm);
        Assert.Throws<ArgumentException>(() => decoder.Conceal(new short[3]));
        Assert.Throws<ArgumentException>(() => decoder.DecodeFec([0xFC, 0xFF, 0xFE], new short[2 * 1000]));
        Assert.Throws<InvalidDataException>(() => decoder.DecodeFec([], new short[2 * 960]));
    }

    private static short[] Receive(List<byte[]> packets, HashSet<int> lost, bool useFec, OpusImplementation impl)
    {
        using var d = OpusCodec.CreateDecoder(SampleRate.Hz16000, 1, impl);
        var outPcm = new short[packets.Count * Frame];
        for (int i = 0; i < packets.Count; i++)
        {
            var slot = outPcm.AsSpan(i * Frame, Frame);
            if (!lost.Contains(i)) d.Decode(packets[i], slot);
            else if (useFec) d.DecodeFec(packets[i + 1], slot);
            else d.Conceal(slot);
        }

        return outPcm;
    }
}
