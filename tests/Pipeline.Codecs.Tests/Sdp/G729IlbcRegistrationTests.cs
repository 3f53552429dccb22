using Pipeline.Codecs.G729;
using Pipeline.Codecs.Ilbc;
using Pipeline.Codecs.Sdp;
using Pipeline.Codecs.Tests.G729;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Sdp;

public class G729IlbcRegistrationTests
{
    private static CodecFormat Format(CodecInfo info, string? agreed) => new(info.Name, info.RtpClockRate)
    {
        Parameters = FmtpParameters.Parse(agreed),
        LocalParameters = FmtpParameters.Parse(agreed),
    };

    [Theory]
    [InlineData("mode=20", IlbcMode.Ms20)]
    [InlineData("mode=30", IlbcMode.Ms30)]
    [InlineData(null, IlbcMode.Ms30)]
    public void Default_registry_makes_ilbc_in_the_agreed_mode(string? agreed, IlbcMode mode)
    {
        var r = CodecRegistry.CreateDefault();
        var enc = Assert.IsType<IlbcEncoder>(r.CreateEncoder(Format(StandardCodecs.Ilbc, agreed)));
        Assert.Equal(mode, enc.Mode);
        var dec = r.CreateDecoder(Format(StandardCodecs.Ilbc, agreed));
        int samples = mode == IlbcMode.Ms20 ? 160 : 240;
        var payload = new byte[enc.GetMaxEncodedLength(samples)];
        int n = enc.Encode(new short[samples], payload);
        Assert.Equal(samples, dec.GetSampleCount(payload.AsSpan(0, n)));
    }

    [RequiresBcg729Fact]
    public void G729_registration_encodes_with_annex_b_only_when_the_answer_agreed_on_it()
    {
        var r = new CodecRegistry();
        G729Codec.Register(r);
        Assert.Same(StandardCodecs.G729, r.Get("G729"));
        using (var yes = (G729Encoder)r.CreateEncoder(Format(StandardCodecs.G729, null)))
        {
            Assert.True(yes.AnnexB);
        }

        using var no = (G729Encoder)r.CreateEncoder(Format(StandardCodecs.G729, "annexb=no"));
        Assert.False(no.AnnexB);
    }

    [Fact]
    public void G729_registered_without_annex_b_offers_annexb_no()
    {
        var r = new CodecRegistry();
        G729Codec.Register(r, annexB: false);
        Assert.Equal("annexb=no", r.Get("G729").DefaultFmtp.ToString());
        Assert.NotNull(r.Get("G729").AnswerFmtp);
    }
}
