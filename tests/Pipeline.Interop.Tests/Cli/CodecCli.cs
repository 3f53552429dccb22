using System.Diagnostics;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>Runs <c>Pipeline.Cli codec ...</c> to completion (the built CLI next to the tests, like <see cref="PipelineCli"/>).</summary>
internal static class CodecCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string>? environment, params string[] args)
    {
        if (!File.Exists(PipelineCli.AssemblyPath)) throw new FileNotFoundException("Pipeline.Cli.dll is not next to the tests", PipelineCli.AssemblyPath);
        var psi = new ProcessStartInfo(PipelineCli.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(PipelineCli.AssemblyPath);
        psi.ArgumentList.Add("codec");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Runs and fails the test unless the exit code is 0.</summary>
    public static async Task<string> RunOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        Assert.True(code == 0, $"codec {string.Join(' ', args)} exited with {code}: {stderr}{stdout}");
        return stdout;
    }

    /// <summary>Runs ffmpeg and fails the test on a non-zero exit.</summary>
    public static async Task FfmpegAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Tools.Require("ffmpeg"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["-v", "error", "-y", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        await stdout;
        string err = await stderr;
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', psi.ArgumentList)} exited with {p.ExitCode}: {err}");
    }
}
