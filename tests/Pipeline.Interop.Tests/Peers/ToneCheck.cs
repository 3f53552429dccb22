namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Small spectral checks for recorded test audio: Goertzel amplitude at a frequency, dominant
/// frequency of a window, and an assertion that a WAV file mostly holds an expected tone.
/// Kept local to the harness (the library's own AudioAnalysis is code under test).
/// </summary>
internal static class ToneCheck
{
    /// <summary>Windows quieter than this RMS (fraction of full scale, ≈ -40 dBFS) count as silence.</summary>
    public const double SilenceRms = 0.01;

    /// <summary>Amplitude (fraction of full scale) of the <paramref name="hz"/> component, by the Goertzel algorithm.</summary>
    public static double Amplitude(ReadOnlySpan<short> samples, int sampleRate, double hz)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        var coeff = 2 * Math.Cos(2 * Math.PI * hz / sampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + (coeff * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        var power = (s1 * s1) + (s2 * s2) - (coeff * s1 * s2);
        return 2 * Math.Sqrt(Math.Max(0, power)) / samples.Length / 32768.0;
    }

    /// <summary>RMS of the samples as a fraction of full scale.</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (var x in samples)
        {
            sum += (double)x * x;
        }

        return Math.Sqrt(sum / samples.Length) / 32768.0;
    }

    /// <summary>The frequency with the largest Goertzel amplitude between <paramref name="minHz"/> and <paramref name="maxHz"/>.</summary>
    public static double DominantFrequency(ReadOnlySpan<short> samples, int sampleRate, double minHz = 100, double maxHz = 3800, double stepHz = 10)
    {
        double best = 0, bestHz = 0;
        for (var hz = minHz; hz <= maxHz; hz += stepHz)
        {
            var a = Amplitude(samples, sampleRate, hz);
            if (a > best)
            {
                best = a;
                bestHz = hz;
            }
        }

        return bestHz;
    }

    /// <summary>Analyses one channel of a WAV file in 200 ms windows: which are silent, which hold <paramref name="expectedHz"/>.</summary>
    public static ToneReport Analyse(string wavPath, double expectedHz, double toleranceHz = 30, int channel = 0)
    {
        var samples = TestAudio.ReadWav(wavPath, out var rate, channel);
        var window = Math.Max(1, rate / 5);
        int loud = 0, matching = 0, total = 0;
        var histogram = new SortedDictionary<int, int>();
        for (var start = 0; start + window <= samples.Length; start += window)
        {
            total++;
            var w = samples.AsSpan(start, window);
            if (Rms(w) < SilenceRms)
            {
                continue;
            }

            loud++;
            var f = DominantFrequency(w, rate, maxHz: Math.Max(3800, Math.Min(rate * 0.45, 20000))); // wideband files are searched up to near Nyquist
            if (Math.Abs(f - expectedHz) <= toleranceHz)
            {
                matching++;
            }

            var bucket = (int)(Math.Round(f / 50) * 50);
            histogram[bucket] = histogram.GetValueOrDefault(bucket) + 1;
        }

        return new ToneReport(wavPath, rate, samples.Length, expectedHz, total, loud, matching, TimeSpan.FromSeconds((double)window / rate), histogram, Rms(samples));
    }

    /// <summary>
    /// Asserts that <paramref name="wavPath"/> holds <paramref name="expectedHz"/> (± <paramref name="toleranceHz"/>)
    /// for at least <paramref name="minToneDuration"/> (default 1 s) and in at least half of its non-silent windows.
    /// The failure message lists the dominant frequencies found. <paramref name="channel"/> picks the
    /// channel of a multichannel file (e.g. 0 = received, 1 = sent in a two-channel call recording).
    /// </summary>
    public static ToneReport AssertTone(string wavPath, double expectedHz, TimeSpan? minToneDuration = null, double toleranceHz = 30, string? context = null, int channel = 0)
    {
        var report = Analyse(wavPath, expectedHz, toleranceHz, channel);
        var min = minToneDuration ?? TimeSpan.FromSeconds(1);
        if (report.ToneDuration < min || report.MatchingWindows * 2 < report.LoudWindows)
        {
            throw new Xunit.Sdk.XunitException($"expected a {expectedHz} Hz tone for at least {min.TotalSeconds:0.##} s in {wavPath} (channel {channel}); {report}" + (context is null ? string.Empty : "\n" + context));
        }

        return report;
    }
}
