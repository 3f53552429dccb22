using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pipeline.Core.Graph;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp without spinning.
/// <code>
///   Linux (64-bit):  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline)   — wakes within tens of µs, no CPU burnt
///   elsewhere:       Thread.Sleep to ~1.5 ms before the deadline, then yield for the last stretch
/// </code>
/// On Linux <see cref="Stopwatch.GetTimestamp"/> is CLOCK_MONOTONIC in nanoseconds; that is checked once at start-up
/// and the fallback is used when it does not hold.
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private static readonly bool UseClockNanosleep = Probe();

    /// <summary>True when sleeps use the kernel's absolute high-resolution timer (no final spin).</summary>
    internal static bool IsHighResolution => UseClockNanosleep;

    /// <summary>Blocks the calling thread until <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="deadline"/>
    /// (or a little after). Returns at once when the deadline has passed.</summary>
    public static void Until(long deadline)
    {
        if (UseClockNanosleep)
        {
            if (deadline <= Stopwatch.GetTimestamp()) return;
            var ts = new TimeSpec { Seconds = deadline / 1_000_000_000, Nanoseconds = deadline % 1_000_000_000 };

            // EINTR (a signal) returns early: the caller's loop re-checks the time and comes back.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in ts, IntPtr.Zero);
            return;
        }

        long margin = Stopwatch.Frequency * 3 / 2000; // 1.5 ms
        while (true)
        {
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            if (left > margin)
            {
                Thread.Sleep((int)Math.Max(1, (left - margin) * 1000 / Stopwatch.Frequency));
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || Stopwatch.Frequency != 1_000_000_000) return false;
        try
        {
            if (ClockGetTime(ClockMonotonic, out var now) != 0) return false;
            long mono = (now.Seconds * 1_000_000_000) + now.Nanoseconds;
            long sw = Stopwatch.GetTimestamp();
            return Math.Abs(sw - mono) < 50_000_000; // same clock (read 50 ms apart at most)
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clockId, int flags, in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
