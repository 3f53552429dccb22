using Pipeline.Codecs.G711;

namespace Pipeline.Codecs.Tests;

public class G711ConformanceTests
{
    [Fact]
    public void MuLaw_encoder_matches_G191_for_all_65536_inputs()
    {
        var enc = new MuLawEncoder();
        var pcm = AllInputs();
        var ours = new byte[pcm.Length];
        Assert.Equal(pcm.Length, enc.Encode(pcm, ours));
        for (int i = 0; i < pcm.Length; i++)
        {
            byte expected = G191Reference.UlawCompress(pcm[i]);
            if (ours[i] != expected) Assert.Fail($"μ-law of {pcm[i]}: got 0x{ours[i]:X2}, G.191 gives 0x{expected:X2}");
        }
    }

    [Fact]
    public void ALaw_encoder_matches_G191_for_all_65536_inputs()
    {
        var enc = new ALawEncoder();
        var pcm = AllInputs();
        var ours = new byte[pcm.Length];
        Assert.Equal(pcm.Length, enc.Encode(pcm, ours));
        for (int i = 0; i < pcm.Length; i++)
        {
            byte expected = G191Reference.AlawCompress(pcm[i]);
            if (ours[i] != expected) Assert.Fail($"A-law of {pcm[i]}: got 0x{ours[i]:X2}, G.191 gives 0x{expected:X2}");
        }
    }

    [Fact]
    public void MuLaw_decoder_matches_G191_for_all_256_codes()
    {
        var dec = new MuLawDecoder();
        var codes = AllCodes();
        var pcm = new short[256];
        Assert.Equal(256, dec.Decode(codes, pcm));
        for (int c = 0; c < 256; c++) Assert.Equal(G191Reference.UlawExpand((byte)c), pcm[c]);
    }

    [Fact]
    public void ALaw_decoder_matches_G191_for_all_256_codes()
    {
        var dec = new ALawDecoder();
        var codes = AllCodes();
        var pcm = new short[256];
        Assert.Equal(256, dec.Decode(codes, pcm));
        for (int c = 0; c < 256; c++) Assert.Equal(G191Reference.AlawExpand((byte)c), pcm[c]);
    }

    [Theory]
    // Reconstruction levels of G.711 Tables 1 and 2, left-justified to 16 bits as G.191 gives them.
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFE, 8)]
    [InlineData(0xEF, 132)]
    [InlineData(0xF0, 120)]
    [InlineData(0x8F, 16764)]
    public void MuLaw_codes_decode_to_the_ITU_levels(int code, int expected)
    {
        Span<short> pcm = stackalloc short[1];
        new MuLawDecoder().Decode([(byte)code], pcm);
        Assert.Equal(expected, pcm[0]);
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xC5, 264)]
    [InlineData(0xF5, 528)]
    public void ALaw_codes_decode_to_the_ITU_levels(int code, int expected)
    {
        Span<short> pcm = stackalloc short[1];
        new ALawDecoder().Decode([(byte)code], pcm);
        Assert.Equal(expected, pcm[0]);
    }

    [Fact]
    public void Encode_then_decode_keeps_every_code_a_fixed_point()
    {
        // Each reconstruction level must encode back to its own code (except the duplicate zero of μ-law).
        var codes = AllCodes();
        foreach (var (enc, dec) in new (IAudioEncoder, IAudioDecoder)[] { (new MuLawEncoder(), new MuLawDecoder()), (new ALawEncoder(), new ALawDecoder()) })
        {
            var pcm = new short[256];
            dec.Decode(codes, pcm);
            var again = new byte[256];
            enc.Encode(pcm, again);
            for (int c = 0; c < 256; c++)
            {
                if (enc.Name == "PCMU" && c == 0x7F) continue; // -0 decodes to 0, which encodes as +0 (0xFF)
                Assert.True(again[c] == c, $"{enc.Name} code 0x{c:X2} -> {pcm[c]} -> 0x{again[c]:X2}");
            }
        }
    }

    [Fact]
    public void Quantisation_error_stays_within_half_a_step_of_the_segment()
    {
        // A property of the segment law: |x - decode(encode(x))| <= half the step of x's segment, plus the truncated low bits.
        var pcm = AllInputs();
        var mu = new byte[pcm.Length];
        var a = new byte[pcm.Length];
        new MuLawEncoder().Encode(pcm, mu);
        new ALawEncoder().Encode(pcm, a);
        var muBack = new short[pcm.Length];
        var aBack = new short[pcm.Length];
        new MuLawDecoder().Decode(mu, muBack);
        new ALawDecoder().Decode(a, aBack);
        for (int i = 0; i < pcm.Length; i++)
        {
            int x = pcm[i];
            if (Math.Abs(x) > 32000) continue; // clipping region
            Assert.True(Math.Abs(x - muBack[i]) <= Math.Max(8, Math.Abs(x) / 16 + 8), $"μ-law error too large at {x}: {muBack[i]}");
            Assert.True(Math.Abs(x - aBack[i]) <= Math.Max(16, Math.Abs(x) / 16 + 16), $"A-law error too large at {x}: {aBack[i]}");
        }
    }

    internal static short[] AllInputs()
    {
        var pcm = new short[65536];
        for (int i = 0; i < pcm.Length; i++) pcm[i] = (short)(i - 32768);
        return pcm;
    }

    private static byte[] AllCodes()
    {
        var codes = new byte[256];
        for (int i = 0; i < 256; i++) codes[i] = (byte)i;
        return codes;
    }
}
