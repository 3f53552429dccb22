namespace Pipeline.Core.Tests.Support;

/// <summary>
/// A fact that needs an external tool. When the tool is missing the test is skipped with a message, except when
/// the environment says CI=true: then it runs and fails, so a CI machine without the tool never passes silently.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        Tool = tool;
        if (Find(tool) is null && !IsCi)
        {
            Skip = $"{tool} is not installed (apt-get install {tool}); skipped outside CI.";
        }
    }

    public string Tool { get; }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="tool"/> on PATH (or /usr/bin, /usr/sbin), or null.</summary>
    public static string? Find(string tool)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var d in dirs.Append("/usr/bin").Append("/usr/sbin"))
        {
            var p = Path.Combine(d, tool);
            if (File.Exists(p)) return p;
        }

        return null;
    }
}
