using System.Runtime.CompilerServices;

namespace Pipeline.Interop.Tests;

/// <summary>
/// Starts the test process with a thread pool of at least 16 worker threads. On a 2-core runner the pool starts with
/// two, and the tests' own synchronous work on pool threads (peer process output, WAV recorders writing to a slow
/// disk, xunit's runner) can hold both while a call's RTP receive continuation waits for the pool to grow, which it
/// does by one thread about every 500 ms: the receiving side then conceals 25 frames (500 ms) of a loopback call.
/// Seen in 2 of 6 runs of the media tests (and in two clean-clone CI runs) on the third session's slow host; with a
/// larger minimum, 0 of 6. An
/// application with several calls grows its pool past this on its own; a test that makes one call at a time does not.
/// </summary>
internal static class ThreadPoolWarmStart
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
    }
}
