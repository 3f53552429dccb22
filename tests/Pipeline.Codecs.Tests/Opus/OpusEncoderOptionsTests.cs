using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Opus;

public sealed class OpusEncoderOptionsTests
{
    [Fact]
    public void Defaults_are_valid_48k_mono_voip_20ms()
    {
        var o = new OpusEncoderOptions();
        o.Validate();
        Assert.Equal(48000, o.SampleRate.Hertz);
        Assert.Equal(1, o.Channels);
        Assert.Equal(OpusApplication.Voip, o.Application);
        Assert.Equal(TimeSpan.FromMilliseconds(20), o.FrameDuration);
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(12000)]
    [InlineData(16000)]
    [InlineData(24000)]
    [InlineData(48000)]
    public void Every_opus_rate_is_accepted(int hz) => new OpusEncoderOptions { SampleRate = new SampleRate(hz) }.Validate();

    public static TheoryData<OpusEncoderOptions, string, string> BadOptions => new()
    {
        { new OpusEncoderOptions { SampleRate = new SampleRate(44100) }, "SampleRate", "44100" },
        { new OpusEncoderOptions { Channels = 3 }, "Channels", "3" },
        { new OpusEncoderOptions { Channels = 0 }, "Channels", "0" },
        { new OpusEncoderOptions { Bitrate = 100 }, "Bitrate", "100" },
        { new OpusEncoderOptions { Bitrate = 600000 }, "Bitrate", "600000" },
        { new OpusEncoderOptions { Complexity = 11 }, "Complexity", "11" },
        { new OpusEncoderOptions { Complexity = -1 }, "Complexity", "-1" },
        { new OpusEncoderOptions { PacketLossPercent = 101 }, "PacketLossPercent", "101" },
        { new OpusEncoderOptions { Application = (OpusApplication)7 }, "Application", "7" },
        { new OpusEncoderOptions { FrameDuration = TimeSpan.FromMilliseconds(30) }, "FrameDuration", "30 ms" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_value_throws_naming_the_option_and_the_value(OpusEncoderOptions options, string name, string value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(value, ex.Message);

        // CreateEncoder validates too, on either implementation.
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => OpusCodec.CreateEncoder(options, OpusImplementation.Managed));
        Assert.Equal(name, ex2.ParamName);
    }

    [Fact]
    public void CreateDecoder_rejects_a_rate_or_channel_count_opus_does_not_have()
    {
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => OpusCodec.CreateDecoder(new SampleRate(44100), 1));
        Assert.Contains("44100", rate.Message);
        var ch = Assert.Throws<ArgumentOutOfRangeException>(() => OpusCodec.CreateDecoder(SampleRate.Hz48000, 6));
        Assert.Equal("channels", ch.ParamName);
    }

    [Fact]
    public void Settings_changed_on_a_running_encoder_are_validated()
    {
        using var e = OpusCodec.CreateEncoder(new OpusEncoderOptions(), OpusImplementation.Managed);
        Assert.Contains("700000", Assert.Throws<ArgumentOutOfRangeException>(() => e.Bitrate = 700000).Message);
        Assert.Contains("-5", Assert.Throws<ArgumentOutOfRangeException>(() => e.PacketLossPercent = -5).Message);
        Assert.Contains("12", Assert.Throws<ArgumentOutOfRangeException>(() => e.Complexity = 12).Message);
        Assert.Equal(32000, e.Bitrate);
    }
}
