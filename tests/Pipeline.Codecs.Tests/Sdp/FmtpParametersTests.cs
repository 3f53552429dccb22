using Pipeline.Codecs.Sdp;

namespace Pipeline.Codecs.Tests.Sdp;

public class FmtpParametersTests
{
    [Fact]
    public void Parse_reads_pairs_in_order_ignoring_key_case_and_spaces()
    {
        var p = FmtpParameters.Parse(" maxplaybackrate=16000; Stereo = 1 ;;useinbandfec=1 ");
        Assert.Equal(3, p.Count);
        Assert.Equal("16000", p["MAXPLAYBACKRATE"]);
        Assert.Equal("1", p["stereo"]);
        Assert.Equal(16000, p.GetInt32("maxplaybackrate"));
        Assert.Null(p["usedtx"]);
        Assert.Equal("maxplaybackrate=16000;Stereo=1;useinbandfec=1", p.ToString());
    }

    [Fact]
    public void A_part_without_equals_keeps_its_text_and_writes_back_unchanged()
    {
        var p = FmtpParameters.Parse("0-15");
        Assert.Single(p);
        Assert.Equal("0-15", p[string.Empty]);
        Assert.Equal("0-15", p.ToString());
    }

    [Fact]
    public void Empty_or_null_text_is_empty_and_writes_nothing()
    {
        Assert.True(FmtpParameters.Parse(null).IsEmpty);
        Assert.True(FmtpParameters.Parse("  ").IsEmpty);
        Assert.Equal(string.Empty, FmtpParameters.Parse(null).ToString());
    }

    [Fact]
    public void With_sets_in_place_appends_and_removes()
    {
        var p = FmtpParameters.Parse("a=1;b=2");
        Assert.Equal("a=1;b=3", p.With("B", "3").ToString());
        Assert.Equal("a=1;b=2;c=4", p.With("c", 4).ToString());
        Assert.Equal("b=2", p.With("a", null).ToString());
        Assert.Equal("a=1;b=2", p.ToString()); // immutable
        Assert.Throws<ArgumentException>(() => p.With("x;y", "1"));
        Assert.Throws<ArgumentException>(() => p.With("x", "1;2"));
    }

    [Fact]
    public void A_repeated_key_keeps_its_first_value_and_a_bad_number_reads_as_absent()
    {
        var p = FmtpParameters.Parse("mode=20;mode=30;x=abc;y=-1");
        Assert.Equal("20", p["mode"]);
        Assert.Null(p.GetInt32("x"));
        Assert.Null(p.GetInt32("y"));
        Assert.Null(p.GetInt32("missing"));
    }
}
