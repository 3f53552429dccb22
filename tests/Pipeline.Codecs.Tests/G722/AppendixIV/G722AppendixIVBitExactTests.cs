using Pipeline.Codecs.G722;

namespace Pipeline.Codecs.Tests.G722.AppendixIV;

/// <summary>
/// <see cref="G722Decoder"/> with losses against the ITU-T G.722 Appendix IV reference decoder (G.722 (2012),
/// Software/G.722-Appendix-IV_v3.0): every output frame, lost or received, must have the checksum recorded from the
/// reference for the same stream and loss mask. Regenerate the recorded files with tools/g722-appendix-iv/regenerate.sh.
/// </summary>
public class G722AppendixIVBitExactTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var s in G722AppendixIVScenarios.All) data.Add(s.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_frame_matches_the_ITU_reference_decoder(string name)
    {
        var scenario = G722AppendixIVScenarios.Get(name);
        var reference = G722AppendixIVReference.Load(name);
        var stream = scenario.Stream();
        Assert.True(reference.InputSha256 == G722AppendixIVScenario.Sha256Hex(stream),
            $"{name}: the generated input stream is not the one the reference was made from (the scenario generator changed; regenerate)");
        Assert.Equal(reference.FrameSamples, scenario.FrameSamples);
        Assert.Equal(reference.Mask, scenario.Mask());

        var output = Decode(scenario, stream);
        int frame = scenario.FrameSamples;
        int lost = 0;
        for (int f = 0; f < reference.FrameHashes.Length; f++)
        {
            lost += scenario.Lost[f] ? 1 : 0;
            string actual = G722AppendixIVScenario.FrameHash(output.AsSpan(f * frame, frame));
            if (actual != reference.FrameHashes[f])
            {
                int lastLoss = Array.LastIndexOf(scenario.Lost, true, f);
                Assert.Fail($"{name}: frame {f} of {reference.FrameHashes.Length} ({(scenario.Lost[f] ? "lost" : "received")}; " +
                    $"last loss before it at frame {lastLoss}) differs from the reference: {actual} vs {reference.FrameHashes[f]}");
            }
        }

        Assert.True(lost > 0, $"{name}: no lost frames");
    }

    [Fact]
    public void The_check_fails_when_one_sample_differs()
    {
        // Guards the comparison: a single changed sample changes the frame's checksum.
        var scenario = G722AppendixIVScenarios.Get("single");
        var output = Decode(scenario, scenario.Stream());
        var frame = output.AsSpan(23 * 320, 320);
        string before = G722AppendixIVScenario.FrameHash(frame);
        frame[100]++;
        Assert.NotEqual(before, G722AppendixIVScenario.FrameHash(frame));
    }

    [Fact]
    public void The_scenarios_cover_the_cases_the_reference_is_checked_on()
    {
        // Losses at the start, bursts long enough to mute (≥ 40 ms), 10 ms frames, and a loss more than 4 s after another.
        var all = G722AppendixIVScenarios.All;
        Assert.Contains(all, s => s.Lost[0]);
        Assert.Contains(all, s => s.FrameSamples == 160);
        Assert.Contains(all, s => LongestBurst(s) * s.FrameSamples >= 12 * 320);
        Assert.Contains(all, s => s.FrameSamples == 160 && LongestBurst(s) * s.FrameSamples >= 640);
        Assert.Contains(all, s => LongestGap(s) * s.FrameSamples > 4 * 16000);
        foreach (var s in all) Assert.True(File.Exists(G722AppendixIVReference.PathOf(s.Name)), $"no reference file for {s.Name}");
    }

    [Theory]
    [InlineData(320)]
    [InlineData(160)]
    public void The_scenarios_exercise_every_signal_class_of_the_analysis(int frameSamples)
    {
        // The class chosen at the first lost frame of each burst picks the muting speed, the jitter and the higher-band period:
        // every class must be among the bit-exact checks, for 20 ms and for 10 ms frames.
        var seen = new HashSet<int>();
        foreach (var s in G722AppendixIVScenarios.All)
        {
            if (s.FrameSamples != frameSamples) continue;
            var decoder = new G722Decoder();
            var stream = s.Stream();
            var pcm = new short[frameSamples];
            for (int f = 0; f < s.Lost.Length; f++)
            {
                if (!s.Lost[f])
                {
                    decoder.Decode(stream.AsSpan(f * frameSamples / 2, frameSamples / 2), pcm);
                    continue;
                }

                decoder.Conceal(pcm);
                if (f == 0 || !s.Lost[f - 1]) seen.Add(decoder.Plc.Class);
            }
        }

        Assert.Equal([G722Plc.Voiced, G722Plc.Unvoiced, G722Plc.Transient, G722Plc.WeaklyVoiced, G722Plc.Transition], seen.Order().ToArray());
    }

    internal static short[] Decode(G722AppendixIVScenario scenario, byte[] stream)
    {
        var decoder = new G722Decoder();
        int frame = scenario.FrameSamples;
        var output = new short[scenario.Lost.Length * frame];
        for (int f = 0; f < scenario.Lost.Length; f++)
        {
            var pcm = output.AsSpan(f * frame, frame);
            if (scenario.Lost[f]) decoder.Conceal(pcm);
            else decoder.Decode(stream.AsSpan(f * frame / 2, frame / 2), pcm);
        }

        return output;
    }

    private static int LongestBurst(G722AppendixIVScenario s)
    {
        int best = 0, run = 0;
        foreach (bool l in s.Lost)
        {
            run = l ? run + 1 : 0;
            best = Math.Max(best, run);
        }

        return best;
    }

    private static int LongestGap(G722AppendixIVScenario s)
    {
        int best = 0, run = 0;
        bool seenLoss = false;
        foreach (bool l in s.Lost)
        {
            if (l)
            {
                if (seenLoss) best = Math.Max(best, run);
                seenLoss = true;
                run = 0;
            }
            else
            {
                run++;
            }
        }

        return best;
    }
}
