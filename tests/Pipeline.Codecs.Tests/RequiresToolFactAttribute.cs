namespace Pipeline.Codecs.Tests;

/// <summary>
/// A fact that needs an external tool on PATH. When the tool is missing the test is skipped with a
/// message saying so, except under CI (env CI=true), where it runs and fails: CI must have the tool.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        Tool = tool;
        if (ExternalTool.Find(tool) is null && !ExternalTool.IsCi)
        {
            Skip = $"'{tool}' was not found on PATH, so this test cannot run here (under CI=true it fails instead). Install {tool} to run it.";
        }
    }

    public string Tool { get; }
}

internal static class ExternalTool
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

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
