namespace Pipeline.Tests.Shared;

// Compiled into every unit-test project that drives an external tool (ffmpeg, tshark, kamailio…).

/// <summary>
/// A fact that needs an external tool. When the tool is missing the test is skipped with a message saying so,
/// except under CI (env CI=true), where it runs and fails: CI must have the tool, and nothing passes silently.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        Tool = tool;
        Skip = ExternalTool.SkipReason(tool);
    }

    public string Tool { get; }
}

/// <summary>The theory form of <see cref="RequiresToolFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(string tool)
    {
        Tool = tool;
        Skip = ExternalTool.SkipReason(tool);
    }

    public string Tool { get; }
}

internal static class ExternalTool
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="tool"/> on PATH or in /usr/bin, /usr/sbin, /usr/local/sbin; null when missing.</summary>
    public static string? Find(string tool)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs.Concat(["/usr/bin", "/usr/sbin", "/usr/local/sbin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    /// <summary>Why a test needing <paramref name="tool"/> is skipped here, or null when it must run (tool present, or CI=true).</summary>
    public static string? SkipReason(string tool) => Find(tool) is null && !IsCi
        ? $"'{tool}' was not found, so this test cannot run here (under CI=true it fails instead). Install it with ./test.sh."
        : null;

    /// <summary>Runs <paramref name="tool"/> and returns its standard output; fails the test on a non-zero exit.</summary>
    public static async Task<byte[]> RunAsync(string tool, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var path = Find(tool) ?? throw new InvalidOperationException($"'{tool}' is required but was not found on PATH (CI={Environment.GetEnvironmentVariable("CI")}).");
        var psi = new System.Diagnostics.ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout, cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        await copy;
        string err = await stderr;
        if (p.ExitCode != 0) Assert.Fail($"{tool} {string.Join(' ', psi.ArgumentList)} exited with {p.ExitCode}: {err}");
        return stdout.ToArray();
    }
}
