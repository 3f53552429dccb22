using Pipeline.Codecs.G722;
using Xunit.Abstractions;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>
/// <see cref="G722Encoder"/> against the ITU-T G.722 reference encoder (qmf_tx, lsbcod and hsbcod of the G.722 (2012)
/// software, driven by tools/g722-appendix-iv/encg722.c): every 20 ms frame of coded bytes must have the checksum
/// recorded from the reference for the same input. The reference, not ffmpeg, is the oracle because it limits the QMF
/// analysis outputs and ffmpeg does not (see
/// <see cref="G722FfmpegOracleTests.Ffmpeg_encoder_differs_from_the_itu_reference_encoder_on_the_square_wave"/> and
/// <see cref="G722FfmpegOracleTests.Overloaded_input_differs_from_ffmpeg_only_by_the_reference_sub_band_limit"/>).
/// Regenerate the recorded files with tools/g722-appendix-iv/regenerate.sh.
/// </summary>
public class G722EncoderBitExactTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var s in G722EncoderScenarios.All) data.Add(s.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Our_encoder_matches_the_itu_reference_encoder_byte_for_byte(string name)
    {
        var scenario = G722EncoderScenarios.Get(name);
        var reference = G722AppendixIVReference.LoadEncoder(name);
        Assert.True(reference.InputSha256 == G722AppendixIVScenario.Sha256Hex(scenario.PcmBytes()),
            $"{name}: the generated input is not the one the reference was made from (the scenario generator changed; regenerate)");
        Assert.Equal(scenario.FrameSamples, reference.FrameSamples);
        Assert.Equal(scenario.Frames, reference.FrameHashes.Length);

        var coded = scenario.Encode();
        AssertMatchesReference(name, reference, coded);
        output.WriteLine($"{name}: {coded.Length} bytes in {scenario.Frames} frames identical to the ITU-T reference encoder");
    }

    [Fact]
    public void The_loud_scenarios_reach_the_reference_sub_band_limit()
    {
        // Without the limit (ffmpeg's behaviour) the square wave, the clipped sweep and the crescendo must encode
        // differently, or matching the reference on them would not test the limit. Full-scale white noise does not
        // reach it (its energy is spread over both bands), nor does normal-level audio.
        string[] reaching = ["square", "clipped-sweep", "crescendo"];
        foreach (var s in G722EncoderScenarios.All)
        {
            var limited = s.Encode();
            var unlimited = new byte[limited.Length];
            new G722Encoder(limitSubBands: false).Encode(s.Pcm, unlimited);
            int differ = 0;
            for (int i = 0; i < limited.Length; i++) differ += limited[i] != unlimited[i] ? 1 : 0;
            output.WriteLine($"{s.Name}: {differ} of {limited.Length} bytes depend on the sub-band limit");
            bool reaches = Array.IndexOf(reaching, s.Name) >= 0;
            Assert.True(reaches ? differ > limited.Length / 100 : differ == 0,
                $"{s.Name}: {differ} of {limited.Length} bytes depend on the sub-band limit (expected {(reaches ? "more than 1 %" : "none")})");
        }
    }

    [Fact]
    public void The_check_fails_when_one_byte_differs()
    {
        var scenario = G722EncoderScenarios.Get("square");
        var reference = G722AppendixIVReference.LoadEncoder("square");
        var coded = scenario.Encode();
        coded[1234] ^= 0x01;
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertMatchesReference("square", reference, coded));
        Assert.Contains("frame 7 ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_encoder_scenario_has_a_reference_file()
    {
        Assert.True(G722EncoderScenarios.All.Count >= 5);
        foreach (var s in G722EncoderScenarios.All) Assert.True(File.Exists(G722AppendixIVReference.EncoderPathOf(s.Name)), $"no reference file for {s.Name}");
    }

    internal static void AssertMatchesReference(string name, G722AppendixIVReference reference, byte[] coded)
    {
        int frameBytes = reference.FrameSamples / 2;
        Assert.Equal(reference.FrameHashes.Length * frameBytes, coded.Length);
        for (int f = 0; f < reference.FrameHashes.Length; f++)
        {
            string actual = G722AppendixIVScenario.FrameHash(coded.AsSpan(f * frameBytes, frameBytes));
            if (actual != reference.FrameHashes[f])
            {
                Assert.Fail($"{name}: frame {f} of {reference.FrameHashes.Length} (bytes {f * frameBytes}–{((f + 1) * frameBytes) - 1}) differs from " +
                    $"the ITU-T reference encoder: {actual} vs {reference.FrameHashes[f]}; every earlier frame matches");
            }
        }
    }
}
