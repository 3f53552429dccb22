namespace Pipeline.Sip.Transactions;

/// <summary>
/// The completed server transactions that only wait out retransmissions, as compact records, swept by one timer.
/// <code>
///   Add(entry, lifetime) ──► index[key] + the FIFO of that lifetime (64×T1 or T4: each FIFO is in expiry order)
///   one timer, armed for the earliest FIFO head ──► drop every expired head ──► re-arm
///   full (Capacity) ──► the entry closest to expiry goes early (Evicted++)
/// </code>
/// Runs on the layer's scheduler only (no locks).
/// </summary>
internal sealed class LingeringServerTransactionTable
{
    private readonly Dictionary<string, LingeringServerTransaction> _index = new(StringComparer.Ordinal);
    private readonly List<(long Lifetime, Queue<LingeringServerTransaction> Queue)> _queues = [];
    private readonly TimeProvider _time;
    private readonly ISipScheduler _scheduler;
    private readonly Action<LingeringServerTransaction> _removed;
    private SipTimer? _sweep;
    private long _sweepAt;

    public LingeringServerTransactionTable(TimeProvider time, ISipScheduler scheduler, Action<LingeringServerTransaction> removed)
    {
        _time = time;
        _scheduler = scheduler;
        _removed = removed;
    }

    /// <summary>Most entries kept; beyond it the one closest to expiry is dropped early.</summary>
    public int Capacity { get; init; } = int.MaxValue;

    public int Count => _index.Count;

    /// <summary>Entries dropped before their time because the table was full.</summary>
    public long Evicted { get; private set; }

    public bool TryGet(string key, out LingeringServerTransaction entry) => _index.TryGetValue(key, out entry!);

    public bool Contains(string key) => _index.ContainsKey(key);

    /// <summary>A timestamp <paramref name="lifetime"/> from now, in <see cref="TimeProvider"/> units.</summary>
    public long ExpiryFromNow(TimeSpan lifetime, out long lifetimeUnits)
    {
        long frequency = _time.TimestampFrequency;
        lifetimeUnits = frequency == TimeSpan.TicksPerSecond ? lifetime.Ticks : (long)(lifetime.Ticks * ((double)frequency / TimeSpan.TicksPerSecond));
        return _time.GetTimestamp() + lifetimeUnits;
    }

    /// <summary>Files <paramref name="entry"/> (its key must not be present), in the FIFO of its lifetime.</summary>
    public void Add(LingeringServerTransaction entry, long lifetimeUnits)
    {
        if (Capacity <= 0)
        {
            Evicted++;
            _removed(entry);
            return;
        }

        if (_index.Count >= Capacity)
        {
            EvictOne();
        }

        _index.Add(entry.Key, entry);
        QueueFor(lifetimeUnits).Enqueue(entry);
        if (_sweep is null || entry.ExpiresAt < _sweepAt)
        {
            Arm(entry.ExpiresAt);
        }
    }

    private Queue<LingeringServerTransaction> QueueFor(long lifetime)
    {
        foreach (var (l, q) in _queues)
        {
            if (l == lifetime)
            {
                return q;
            }
        }

        var queue = new Queue<LingeringServerTransaction>();
        _queues.Add((lifetime, queue));
        return queue;
    }

    private void EvictOne()
    {
        Queue<LingeringServerTransaction>? oldest = null;
        foreach (var (_, q) in _queues)
        {
            if (q.Count > 0 && (oldest is null || q.Peek().ExpiresAt < oldest.Peek().ExpiresAt))
            {
                oldest = q;
            }
        }

        if (oldest is not null)
        {
            Evicted++;
            Drop(oldest.Dequeue());
        }
    }

    private void Drop(LingeringServerTransaction entry)
    {
        _index.Remove(entry.Key);
        _removed(entry);
    }

    private void Arm(long at)
    {
        _sweep?.Dispose();
        _sweepAt = at;
        long units = Math.Max(0, at - _time.GetTimestamp());
        long frequency = _time.TimestampFrequency;
        var due = frequency == TimeSpan.TicksPerSecond ? TimeSpan.FromTicks(units) : TimeSpan.FromTicks((long)Math.Ceiling(units * ((double)TimeSpan.TicksPerSecond / frequency)));
        _sweep = SipTimer.Start(_time, _scheduler, due, Sweep);
    }

    private void Sweep()
    {
        _sweep = null;
        long now = _time.GetTimestamp();
        long next = long.MaxValue;
        foreach (var (_, q) in _queues)
        {
            while (q.Count > 0 && q.Peek().ExpiresAt <= now)
            {
                Drop(q.Dequeue());
            }

            if (q.Count > 0 && q.Peek().ExpiresAt < next)
            {
                next = q.Peek().ExpiresAt;
            }
        }

        if (next != long.MaxValue)
        {
            Arm(next);
        }
    }

    /// <summary>Forgets every entry and stops the sweep timer.</summary>
    public void Clear()
    {
        _sweep?.Dispose();
        _sweep = null;
        foreach (var (_, q) in _queues)
        {
            q.Clear();
        }

        _index.Clear();
    }
}
