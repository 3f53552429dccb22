namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>A virtual clock: timers fire only inside <see cref="Advance"/>, in due order, at their exact due time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan Elapsed { get; private set; }

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    public void Advance(TimeSpan by)
    {
        var target = Elapsed + by;
        while (true)
        {
            ManualTimer? next = null;
            lock (_lock)
            {
                foreach (var t in _timers)
                {
                    if (t.Due is { } d && d <= target && (next is null || d < next.Due))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    break;
                }

                _now += next.Due!.Value - Elapsed;
                Elapsed = next.Due.Value;
                next.Due = next.Period > TimeSpan.Zero ? Elapsed + next.Period : null;
            }

            next.Fire();
        }

        _now += target - Elapsed;
        Elapsed = target;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimeSpan? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.Elapsed + dueTime;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
