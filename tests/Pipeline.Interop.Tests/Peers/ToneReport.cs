using System.Globalization;
using System.Text;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>Result of <see cref="ToneCheck.Analyse"/>.</summary>
internal sealed record ToneReport(
    string Path,
    int SampleRate,
    int SampleCount,
    double ExpectedHz,
    int Windows,
    int LoudWindows,
    int MatchingWindows,
    TimeSpan WindowLength,
    IReadOnlyDictionary<int, int> DominantHistogram,
    double OverallRms)
{
    /// <summary>Total length of the file.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)SampleCount / Math.Max(1, SampleRate));

    /// <summary>Time covered by windows whose dominant frequency is the expected one.</summary>
    public TimeSpan ToneDuration => WindowLength * MatchingWindows;

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"file {Duration.TotalSeconds:0.00} s at {SampleRate} Hz, rms {OverallRms:0.000}; ");
        sb.Append(CultureInfo.InvariantCulture, $"{Windows} windows of {WindowLength.TotalMilliseconds:0} ms: {LoudWindows} loud, {MatchingWindows} at {ExpectedHz} Hz; dominant Hz histogram: ");
        foreach (var (hz, n) in DominantHistogram)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{hz}x{n} ");
        }

        return sb.ToString().TrimEnd();
    }
}
