using Pipeline.Codecs.Sdp;

namespace Pipeline.Codecs.Tests.Sdp;

public class CodecFmtpTests
{
    [Fact]
    public void Opus_parse_reads_every_rfc7587_parameter()
    {
        var o = OpusFmtp.Parse("maxplaybackrate=16000;sprop-maxcapturerate=24000;maxaveragebitrate=20000;stereo=1;sprop-stereo=0;cbr=1;useinbandfec=1;usedtx=1;ptime=40;minptime=10;maxptime=60");
        Assert.Equal(16000, o.MaxPlaybackRate);
        Assert.Equal(24000, o.SpropMaxCaptureRate);
        Assert.Equal(20000, o.MaxAverageBitrate);
        Assert.True(o.Stereo);
        Assert.False(o.SpropStereo);
        Assert.True(o.Cbr);
        Assert.True(o.UseInbandFec);
        Assert.True(o.UseDtx);
        Assert.Equal(40, o.Ptime);
        Assert.Equal(10, o.MinPtime);
        Assert.Equal(60, o.MaxPtime);
        Assert.Equal(2, o.ReceiveChannels);
        Assert.Equal(16000, o.EffectiveMaxPlaybackRate);
    }

    [Fact]
    public void Opus_absent_parameters_mean_mono_48k_vbr_without_fec_or_dtx()
    {
        var o = OpusFmtp.Parse((string?)null);
        Assert.Null(o.Stereo);
        Assert.Equal(1, o.ReceiveChannels);
        Assert.Equal(48000, o.EffectiveMaxPlaybackRate);
        Assert.Null(o.UseInbandFec);
        Assert.Equal(string.Empty, o.ToString());
    }

    [Theory]
    [InlineData("maxplaybackrate=4000")]
    [InlineData("maxplaybackrate=96000")]
    [InlineData("maxaveragebitrate=1000")]
    [InlineData("maxaveragebitrate=600000")]
    [InlineData("stereo=yes")]
    public void Opus_out_of_range_or_malformed_values_read_as_absent(string fmtp)
    {
        var o = OpusFmtp.Parse(fmtp);
        Assert.Equal(new OpusFmtp(), o);
    }

    [Fact]
    public void Opus_round_trips_through_fmtp_text()
    {
        var o = new OpusFmtp { MaxPlaybackRate = 24000, MaxAverageBitrate = 32000, Stereo = true, SpropStereo = true, UseInbandFec = true, UseDtx = false, Cbr = false, MinPtime = 10 };
        var text = o.ToString();
        Assert.Equal("maxplaybackrate=24000;maxaveragebitrate=32000;stereo=1;sprop-stereo=1;cbr=0;useinbandfec=1;usedtx=0;minptime=10", text);
        Assert.Equal(o, OpusFmtp.Parse(text));
    }

    [Fact]
    public void Opus_writing_an_out_of_range_value_throws_naming_it()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new OpusFmtp { MaxAverageBitrate = 1 }.ToFmtp());
        Assert.Contains("MaxAverageBitrate", ex.Message);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("annexb=yes", true)]
    [InlineData("annexb=no", false)]
    [InlineData("annexb=NO", false)]
    [InlineData("annexb=maybe", true)]
    public void G729_annexb_absent_means_yes(string? fmtp, bool annexB) =>
        Assert.Equal(annexB, G729Fmtp.Parse(fmtp).AnnexB);

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("annexb=no", null, false)]
    [InlineData(null, "annexb=no", false)]
    [InlineData("annexb=yes", "annexb=yes", true)]
    [InlineData("annexb=no", "annexb=no", false)]
    public void G729_answer_uses_annex_b_only_when_both_allow_it(string? offer, string? local, bool agreed)
    {
        var answer = G729Fmtp.AnswerRule(FmtpParameters.Parse(offer), FmtpParameters.Parse(local));
        Assert.Equal(agreed, G729Fmtp.Parse(answer).AnnexB);
        Assert.Equal(agreed ? string.Empty : "annexb=no", answer.ToString());
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("mode=20", 20)]
    [InlineData("mode=30", 30)]
    [InlineData("mode=25", 30)]
    [InlineData("mode=x", 30)]
    public void Ilbc_mode_absent_or_invalid_means_30(string? fmtp, int mode) =>
        Assert.Equal(mode, IlbcFmtp.Parse(fmtp).Mode);

    [Theory]
    [InlineData("mode=20", "mode=20", 20)]
    [InlineData("mode=20", "mode=30", 30)]
    [InlineData("mode=30", "mode=20", 30)]
    [InlineData(null, "mode=20", 30)]
    public void Ilbc_answer_says_30_when_either_side_says_30(string? offer, string? local, int mode)
    {
        var answer = IlbcFmtp.AnswerRule(FmtpParameters.Parse(offer), FmtpParameters.Parse(local));
        Assert.Equal("mode=" + mode, answer.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(mode), IlbcFmtp.Parse(answer).FrameDuration);
    }

    [Fact]
    public void Ilbc_rejects_writing_a_mode_other_than_20_or_30() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new IlbcFmtp(25).ToFmtp());

    [Theory]
    [InlineData("0-15", "0-15")]
    [InlineData("0-11,16", "0-11,16")]
    [InlineData("16, 0-3 ,4-9,10,11", "0-11,16")]
    [InlineData("0-15,bad,300,7-2", "0-15")]
    [InlineData(null, "0-15")]
    public void Telephone_event_list_parses_and_formats_in_shortest_form(string? fmtp, string expected) =>
        Assert.Equal(expected, TelephoneEventFmtp.Parse(fmtp).ToString());

    [Fact]
    public void Telephone_event_answer_lists_the_events_both_support()
    {
        var answer = TelephoneEventFmtp.Answer(TelephoneEventFmtp.Parse("0-11,16,32"), TelephoneEventFmtp.Default);
        Assert.Equal("0-11,16", answer.ToString());
        Assert.True(answer.Contains(16));
        Assert.False(answer.Contains(12));
        Assert.True(TelephoneEventFmtp.Answer(TelephoneEventFmtp.Parse("32-40"), TelephoneEventFmtp.Default).IsEmpty);
        Assert.Equal(TelephoneEventFmtp.Parse("0-16"), TelephoneEventFmtp.Default);
    }
}
