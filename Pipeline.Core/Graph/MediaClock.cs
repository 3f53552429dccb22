using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Core.Graph;

/// <summary>
/// The one clock that drives every graph attached to it: a single thread for the whole process,
/// however many calls run, and no timer per call.
/// <code>
///   clock thread:  tick n ──► for each graph: apply queued edits ──► for each graph: OnTick of its clock-driven nodes
/// </code>
/// Deadlines are absolute (start + n·period), so the clock does not drift with scheduling delay;
/// after a stall it catches up a few ticks and then resynchronises rather than bursting.
/// A clock made with <c>manual: true</c> has no thread: tests call <see cref="Advance"/> to tick it in virtual time.
/// </summary>
public sealed class MediaClock : IAsyncDisposable
{
    private const int MaxCatchUpTicks = 5;
    private readonly object _gate = new();
    private readonly object _tickGate = new(); // held for the whole of a tick; Detach waits on it
    private readonly ILogger _logger;
    private MediaGraph[] _graphs = [];
    private Thread? _thread;
    private volatile bool _running;
    private long _index;
    private long _lateTicks;

    public MediaClock(TimeSpan period, bool manual = false, ILogger? logger = null)
    {
        if (period < TimeSpan.FromMilliseconds(1) || period > TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A media clock period must be between 1 and 100 ms (10 or 20 ms is usual).");
        }

        Period = period;
        IsManual = manual;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A process-wide 20 ms clock, started on first use.</summary>
    public static MediaClock Shared => SharedClock.Value;

    private static readonly Lazy<MediaClock> SharedClock = new(() =>
    {
        var c = new MediaClock(TimeSpan.FromMilliseconds(20));
        c.Start();
        return c;
    });

    public TimeSpan Period { get; }

    public bool IsManual { get; }

    public bool IsRunning => _running;

    /// <summary>Ticks delivered so far.</summary>
    public long TickCount => Interlocked.Read(ref _index);

    /// <summary>Ticks that ran more than one period late (the machine could not keep up).</summary>
    public long LateTicks => Interlocked.Read(ref _lateTicks);

    public int GraphCount => Volatile.Read(ref _graphs).Length;

    /// <summary>Starts the clock thread. A manual clock cannot be started.</summary>
    public void Start()
    {
        if (IsManual) throw new InvalidOperationException("A manual media clock is ticked with Advance(); it has no thread to start.");
        lock (_gate)
        {
            if (_running) return;
            _running = true;
            _thread = new Thread(Run) { IsBackground = true, Name = "Pipeline media clock", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }
    }

    /// <summary>Delivers <paramref name="ticks"/> ticks now, on the caller's thread (manual clocks only).</summary>
    public void Advance(int ticks = 1)
    {
        if (!IsManual) throw new InvalidOperationException("Only a manual media clock can be advanced by hand.");
        for (int i = 0; i < ticks; i++) Tick();
    }

    internal void Attach(MediaGraph graph)
    {
        lock (_gate)
        {
            if (Array.IndexOf(_graphs, graph) >= 0) return;
            var next = new MediaGraph[_graphs.Length + 1];
            _graphs.CopyTo(next, 0);
            next[^1] = graph;
            Volatile.Write(ref _graphs, next);
        }
    }

    internal void Detach(MediaGraph graph)
    {
        lock (_gate)
        {
            int i = Array.IndexOf(_graphs, graph);
            if (i < 0) return;
            var next = new MediaGraph[_graphs.Length - 1];
            Array.Copy(_graphs, 0, next, 0, i);
            Array.Copy(_graphs, i + 1, next, i, _graphs.Length - i - 1);
            Volatile.Write(ref _graphs, next);
        }

        // A tick in progress may still be inside this graph: wait for it, so that once Detach returns the graph's
        // nodes get no more OnTick calls and can be torn down safely. (Re-entrant when called on the clock thread.)
        lock (_tickGate)
        {
        }
    }

    private void Tick()
    {
        lock (_tickGate)
        {
            var tick = new MediaTick(Interlocked.Read(ref _index), Period);
            var graphs = Volatile.Read(ref _graphs);
            foreach (var g in graphs) g.ApplyPendingEdits();
            foreach (var g in graphs) g.Tick(tick);
            Interlocked.Increment(ref _index);
        }
    }

    private void Run()
    {
        // Deadlines in Stopwatch timestamps: start + n·period. The thread sleeps until each one (no busy spin).
        long start = Stopwatch.GetTimestamp();
        long periodTs = Period.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        long next = start;
        while (_running)
        {
            long now = Stopwatch.GetTimestamp();
            long wait = next - now;
            if (wait > 0)
            {
                // Sleep in slices of at most one period so that Dispose is noticed promptly.
                PreciseSleep.Until(Math.Min(next, now + periodTs));
                continue;
            }

            if (-wait > periodTs)
            {
                Interlocked.Increment(ref _lateTicks);
                if (-wait > periodTs * MaxCatchUpTicks)
                {
                    _logger.LogWarning("Media clock fell {Late} behind; resynchronising", Stopwatch.GetElapsedTime(next, now));
                    next = now;
                }
            }

            try
            {
                Tick();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Media clock tick failed");
            }

            next += periodTs;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Thread? t;
        lock (_gate)
        {
            _running = false;
            t = _thread;
            _thread = null;
        }

        if (t is not null && t != Thread.CurrentThread)
        {
            await Task.Run(() => t.Join()).ConfigureAwait(false);
        }
    }
}
