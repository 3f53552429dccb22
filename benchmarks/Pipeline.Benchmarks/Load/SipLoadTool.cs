using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Benchmarks.Load;

/// <summary>
/// Finds the highest call rate a SIP target holds for a whole run with zero failed calls, driving
/// SIPp's built-in UAC (INVITE → 200 → ACK → BYE, no media hold time) at increasing rates.
/// <code>
///   sipp -sn uac ──INVITE/ACK/BYE at R calls/s for S seconds──► target (phone --auto-answer | sipp -sn uas)
///   rate search: double while every call succeeds, then bisect between the last good and first bad rate
/// </code>
/// Usage: <c>load [--seconds 30] [--start 50] [--max 3200] [--rate R] [--target phone|sipp|both] [--cli PATH/Pipeline.Cli.dll]</c>;
/// <c>--rate R</c> runs once at R calls/s instead of searching. A run that fails says why (SIPp's error log, grouped:
/// "503 … (too many calls)", timeouts…), and a phone run reports the phone's CPU time per call and peak memory.
/// </summary>
internal static class SipLoadTool
{
    private static int s_fixedRate;

    public static async Task<int> RunAsync(string[] args)
    {
        int seconds = 30, start = 50, max = 3200, fixedRate = 0;
        string target = "both";
        string? cli = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--start": start = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--max": max = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rate": fixedRate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--target": target = Next(); break;
                case "--cli": cli = Next(); break;
                default: throw new ArgumentException($"load: unknown option {args[i]}");
            }
        }

        s_fixedRate = fixedRate;
        cli ??= FindCli();
        var results = new List<string>();
        if (target is "phone" or "both")
        {
            int best = await SearchAsync("phone", port => Start("dotnet", cli, "phone", "--bind", $"127.0.0.1:{port}", "--auto-answer", "--rtp-ports", "30000-60000", "--max-rate-per-source", "0"), seconds, start, max);
            results.Add($"phone --auto-answer: {best} calls/s held for {seconds} s with 0 failed calls");
        }

        if (target is "sipp" or "both")
        {
            int best = await SearchAsync("sipp-uas", port => Start("sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-nostdin", "-cp", FreePort().ToString(CultureInfo.InvariantCulture), "-mp", FreePort().ToString(CultureInfo.InvariantCulture)), seconds, start, max);
            results.Add($"sipp -sn uas: {best} calls/s held for {seconds} s with 0 failed calls");
        }

        Console.WriteLine();
        foreach (var r in results) Console.WriteLine("RESULT " + r);
        return 0;
    }

    private static async Task<int> SearchAsync(string name, Func<int, Process> startTarget, int seconds, int start, int max)
    {
        if (s_fixedRate > 0)
        {
            bool held = await RunOnceAsync(name, startTarget, s_fixedRate, seconds);
            Console.WriteLine($"{name}: {s_fixedRate} calls/s for {seconds} s: {(held ? "all calls succeeded" : "FAILED calls")}");
            return held ? s_fixedRate : 0;
        }

        int good = 0, bad = int.MaxValue, rate = start;
        while (rate <= max && bad - good > Math.Max(10, good / 10))
        {
            bool ok = await RunOnceAsync(name, startTarget, rate, seconds);
            Console.WriteLine($"{name}: {rate} calls/s for {seconds} s: {(ok ? "all calls succeeded" : "FAILED calls")}");
            if (ok)
            {
                good = rate;
                rate = bad == int.MaxValue ? rate * 2 : (good + bad) / 2;
            }
            else
            {
                bad = rate;
                rate = (good + bad) / 2;
            }
        }

        return good;
    }

    private static async Task<bool> RunOnceAsync(string name, Func<int, Process> startTarget, int rate, int seconds)
    {
        int port = FreePort();
        using var target = startTarget(port);
        try
        {
            await Task.Delay(name == "phone" ? 2500 : 500); // let the target bind (the CLI JITs first)
            if (target.HasExited) throw new InvalidOperationException($"{name} exited at start with code {target.ExitCode}");
            string dir = Path.Combine(Path.GetTempPath(), "pipeline-load-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            long calls = (long)rate * seconds;
            using var uac = Start(
                "sipp", "-sn", "uac", $"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", FreePort().ToString(CultureInfo.InvariantCulture),
                "-cp", FreePort().ToString(CultureInfo.InvariantCulture), "-mp", FreePort().ToString(CultureInfo.InvariantCulture),
                "-r", rate.ToString(CultureInfo.InvariantCulture), "-m", calls.ToString(CultureInfo.InvariantCulture), "-d", "0",
                "-l", (rate * 5).ToString(CultureInfo.InvariantCulture), "-nostdin", "-timeout", (seconds + 30).ToString(CultureInfo.InvariantCulture) + "s", "-timeout_error",
                "-trace_stat", "-stf", Path.Combine(dir, "stat.csv"), "-fd", "1", "-trace_err", "-error_file", Path.Combine(dir, "errors.log"));
            var cpuBefore = CpuTime(target);
            await uac.WaitForExitAsync();
            var cpu = CpuTime(target) - cpuBefore;
            var (ok, failed) = ReadStats(Path.Combine(dir, "stat.csv"));
            if (name == "phone" && ok > 0)
            {
                Console.WriteLine($"  phone: {cpu.TotalMilliseconds * 1000 / Math.Max(1, ok + Math.Max(0, failed)):F0} µs CPU per call, peak working set {PeakMegabytes(target)} MB");
            }

            if (failed != 0 || ok != calls)
            {
                Console.WriteLine($"  {ok} of {calls} calls succeeded, {failed} failed; why: {Reasons(Path.Combine(dir, "errors.log"))}");
            }

            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }

            return uac.ExitCode == 0 && failed == 0 && ok == calls;
        }
        finally
        {
            try
            {
                target.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            await target.WaitForExitAsync();
        }
    }

    private static TimeSpan CpuTime(Process p)
    {
        try
        {
            p.Refresh();
            return p.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    private static long PeakMegabytes(Process p)
    {
        try
        {
            p.Refresh();
            return p.PeakWorkingSet64 / (1024 * 1024);
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>SIPp's error log grouped by what went wrong (the status line received, or the kind of failure).</summary>
    private static string Reasons(string errorLog)
    {
        if (!File.Exists(errorLog)) return "no error log";
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(errorLog))
        {
            string? reason = null;
            int at = line.IndexOf("received 'SIP/2.0 ", StringComparison.Ordinal);
            if (at >= 0)
            {
                reason = line[(at + 10)..].TrimEnd('\'');
            }
            else if (line.Contains("timeout", StringComparison.OrdinalIgnoreCase) || line.Contains("retrans", StringComparison.OrdinalIgnoreCase))
            {
                reason = line.Contains("retrans", StringComparison.OrdinalIgnoreCase) ? "too many retransmissions (no answer)" : "timeout";
            }

            if (reason is not null) counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }

        if (counts.Count == 0) return "no reason in SIPp's error log";
        var parts = new List<string>();
        foreach (var (reason, n) in counts.OrderByDescending(kv => kv.Value).Take(4)) parts.Add($"{n} × {reason}");
        return string.Join("; ", parts);
    }

    private static (long Successful, long Failed) ReadStats(string csv)
    {
        if (!File.Exists(csv)) return (0, -1);
        var lines = File.ReadAllLines(csv);
        if (lines.Length < 2) return (0, -1);
        var head = lines[0].Split(';');
        var last = lines[^1].Split(';');
        long Get(string column)
        {
            int i = Array.IndexOf(head, column);
            return i >= 0 && i < last.Length && long.TryParse(last[i], CultureInfo.InvariantCulture, out long v) ? v : -1;
        }

        return (Get("SuccessfulCall(C)"), Get("FailedCall(C)"));
    }

    private static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static string FindCli()
    {
        string root = AppContext.BaseDirectory;
        for (var d = new DirectoryInfo(root); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "samples", "Pipeline.Cli", "bin", "Release", "net10.0", "Pipeline.Cli.dll");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException("Pipeline.Cli.dll (Release) not found: build it first with 'dotnet build samples/Pipeline.Cli -c Release' or pass --cli PATH");
    }
}
