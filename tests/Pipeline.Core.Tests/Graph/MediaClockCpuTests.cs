using System.Diagnostics;
using Pipeline.Core.Graph;

namespace Pipeline.Core.Tests.Graph;

[CollectionDefinition(nameof(MediaClockCpuTests), DisableParallelization = true)]
public sealed class MediaClockCpuCollection
{
}

[Collection(nameof(MediaClockCpuTests))]
public sealed class MediaClockCpuTests
{
    [Fact]
    public void Clock_waits_with_a_high_resolution_sleep_on_linux()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return;
        Assert.True(PreciseSleep.IsHighResolution, "clock_nanosleep should be usable on 64-bit Linux");
    }

    [Fact]
    public async Task Idle_clock_thread_sleeps_instead_of_spinning_and_still_ticks_on_time()
    {
        if (!OperatingSystem.IsLinux()) return; // reads the clock thread's CPU time from /proc
        await using var clock = new MediaClock(TimeSpan.FromMilliseconds(20));
        var sw = Stopwatch.StartNew();
        clock.Start();
        await Task.Delay(200);
        long cpuBefore = ClockThreadCpuJiffies();
        var measured = Stopwatch.StartNew();
        await Task.Delay(2000);
        long cpu = ClockThreadCpuJiffies() - cpuBefore;
        long ticks = clock.TickCount;
        double expected = sw.Elapsed.TotalMilliseconds / 20;
        Assert.InRange(ticks, expected * 0.8, expected + 2);

        // The old yield-spin burnt ~80 ms of CPU per second (16+ jiffies of 10 ms in 2 s); a sleeping clock ~0.
        Assert.True(cpu <= 4, $"the idle clock thread used {cpu * 10} ms CPU in {measured.ElapsedMilliseconds} ms");
    }

    /// <summary>utime + stime (jiffies) of this process's thread(s) named after the media clock.</summary>
    private static long ClockThreadCpuJiffies()
    {
        long total = 0;
        int found = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string comm;
            string stat;
            try
            {
                comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            if (!comm.StartsWith("Pipeline media", StringComparison.Ordinal)) continue;
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += long.Parse(f[11]) + long.Parse(f[12]); // fields 14 and 15 of stat
            found++;
        }

        Assert.True(found > 0, "no thread named 'Pipeline media…' found in /proc/self/task");
        return total;
    }
}
