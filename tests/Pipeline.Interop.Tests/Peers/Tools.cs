namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Finds the external tools the interop tests drive. A missing tool fails the test when the
/// environment variable CI is "true" (CI must have every tool: a skip there would hide a broken
/// install step) and skips it otherwise (via Xunit.SkippableFact: the test must be a
/// <c>[SkippableFact]</c>/<c>[SkippableTheory]</c>, otherwise the skip shows as a failure, which is
/// still never a silent pass).
/// </summary>
internal static class Tools
{
    private static readonly Dictionary<string, string> DebianPackages = new(StringComparer.Ordinal)
    {
        ["sipp"] = "sip-tester",
        ["baresip"] = "baresip",
        ["sox"] = "sox",
        ["ffmpeg"] = "ffmpeg",
        ["tshark"] = "tshark",
        ["dumpcap"] = "tshark",
        ["kamailio"] = "kamailio",
        ["dnsmasq"] = "dnsmasq-base",
        ["dig"] = "bind9-dnsutils",
    };

    /// <summary>True when running under CI (env CI=true), where missing tools are failures.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        if (Path.IsPathRooted(tool))
        {
            return File.Exists(tool) ? tool : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the full path of <paramref name="tool"/>. When it is missing: throws
    /// <see cref="Xunit.Sdk.XunitException"/> (test fails) if CI=true, else <see cref="SkipException"/>
    /// (test is reported skipped under [SkippableFact]). The message says how to install it.
    /// </summary>
    public static string Require(string tool)
    {
        var found = Find(tool);
        if (found is not null)
        {
            return found;
        }

        var package = DebianPackages.GetValueOrDefault(tool, tool);
        var message = $"tool {tool} missing; install with ./test.sh (Debian package '{package}')";
        if (IsCi)
        {
            throw new Xunit.Sdk.XunitException(message + " — CI=true, so this is a failure, not a skip");
        }

        throw new SkipException(message);
    }
}
