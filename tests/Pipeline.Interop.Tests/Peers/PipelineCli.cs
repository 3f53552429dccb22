namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Starts our own CLI (samples/Pipeline.Cli, built into the test output folder through the project
/// reference) as a <see cref="PeerProcess"/>, e.g.
/// <c>PipelineCli.Start("phone", "phone", "--bind", $"127.0.0.1:{port}", "--auto-answer", "--events")</c>.
/// It runs as "dotnet Pipeline.Cli.dll ARGS" with the same dotnet host as the tests.
/// </summary>
internal static class PipelineCli
{
    /// <summary>Path of Pipeline.Cli.dll next to the test assembly.</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "Pipeline.Cli.dll");

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH, else "dotnet" on PATH).</summary>
    public static string DotnetHost
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            var current = Environment.ProcessPath;
            if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            {
                return current;
            }

            return Tools.Find("dotnet") ?? "dotnet";
        }
    }

    /// <summary>Starts the CLI with <paramref name="arguments"/>; <paramref name="name"/> labels it in messages.</summary>
    public static PeerProcess Start(string name, params string[] arguments)
    {
        if (!File.Exists(AssemblyPath))
        {
            throw new FileNotFoundException($"{AssemblyPath} not found: is samples/Pipeline.Cli referenced by the test project?", AssemblyPath);
        }

        var env = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        return PeerProcess.Start(name, DotnetHost, [AssemblyPath, .. arguments], workingDirectory: AppContext.BaseDirectory, environment: env);
    }
}
