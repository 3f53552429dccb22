using Pipeline.Codecs.Opus;
using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Sdp;

public class OpusRegistrationTests
{
    [Theory]
    [InlineData(null, 48000)]
    [InlineData("maxplaybackrate=8000", 8000)]
    [InlineData("maxplaybackrate=11025", 12000)]
    [InlineData("maxplaybackrate=16000", 16000)]
    [InlineData("maxplaybackrate=22050", 24000)]
    [InlineData("maxplaybackrate=44100", 48000)]
    public void Encoder_rate_is_the_smallest_opus_rate_covering_the_receivers_maxplaybackrate(string? fmtp, int rate) =>
        Assert.Equal(rate, OpusFmtp.Parse(fmtp).ToEncoderOptions().SampleRate.Hertz);

    [Fact]
    public void Encoder_options_follow_the_receivers_fec_dtx_and_bitrate_cap_and_stay_mono()
    {
        var o = OpusFmtp.Parse("stereo=1;useinbandfec=1;usedtx=1;maxaveragebitrate=16000").ToEncoderOptions(TimeSpan.FromMilliseconds(40));
        Assert.Equal(1, o.Channels);
        Assert.True(o.UseInbandFec);
        Assert.True(o.PacketLossPercent > 0); // FEC is only produced when loss is expected
        Assert.True(o.UseDtx);
        Assert.Equal(16000, o.Bitrate);
        Assert.Equal(TimeSpan.FromMilliseconds(40), o.FrameDuration);

        var plain = new OpusFmtp().ToEncoderOptions(TimeSpan.FromMilliseconds(30));
        Assert.False(plain.UseInbandFec);
        Assert.False(plain.UseDtx);
        Assert.Equal(32000, plain.Bitrate);
        Assert.Equal(TimeSpan.FromMilliseconds(20), plain.FrameDuration); // 30 ms is no Opus frame
        plain.Validate();
    }

    [Fact]
    public void Default_registry_makes_opus_encoders_from_the_negotiated_format()
    {
        var r = CodecRegistry.CreateDefault();
        var format = new CodecFormat("opus", new RtpClockRate(48000), 2)
        {
            PayloadType = 111,
            Parameters = FmtpParameters.Parse("maxplaybackrate=16000;useinbandfec=1;maxaveragebitrate=20000"),
            Ptime = TimeSpan.FromMilliseconds(20),
        };

        using var enc = (OpusEncoder)r.CreateEncoder(format);
        Assert.Equal(SampleRate.Hz16000, enc.SampleRate);
        Assert.Equal(new RtpClockRate(48000), enc.RtpClockRate);
        Assert.Equal(1, enc.Channels);
        Assert.True(enc.UseInbandFec);
        Assert.Equal(20000, enc.Bitrate);

        using var dec = (OpusDecoder)r.CreateDecoder(format);
        Assert.Equal(SampleRate.Hz48000, dec.SampleRate);
        Assert.Equal(1, dec.Channels);

        // What the encoder makes, the decoder reads: 20 ms at 16 kHz in, 20 ms at 48 kHz out.
        var pcm = new short[320];
        for (int i = 0; i < pcm.Length; i++) pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * i / 16000.0));
        var payload = new byte[enc.GetMaxEncodedLength(320)];
        int n = enc.Encode(pcm, payload);
        Assert.Equal(960, dec.GetSampleCount(payload.AsSpan(0, n)));
    }
}
