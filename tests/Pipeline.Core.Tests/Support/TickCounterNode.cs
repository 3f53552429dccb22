using Pipeline.Core.Graph;

namespace Pipeline.Core.Tests.Support;

/// <summary>A clock-driven node that records the ticks it saw (and can be made to throw).</summary>
internal sealed class TickCounterNode(string name = "ticks") : Node(name), IClockDriven
{
    private readonly List<long> _ticks = [];
    private volatile bool _inTick;

    public bool Throw { get; set; }

    /// <summary>Time each tick takes (a heavy node).</summary>
    public TimeSpan TickDelay { get; set; }

    /// <summary>True when OnStoppedAsync ran while a tick was still in progress.</summary>
    public bool StoppedDuringTick { get; private set; }

    protected internal override ValueTask OnStoppedAsync()
    {
        StoppedDuringTick = _inTick;
        return ValueTask.CompletedTask;
    }

    public bool InTick => _inTick;

    public IReadOnlyList<long> Ticks
    {
        get
        {
            lock (_ticks) return [.. _ticks];
        }
    }

    public void OnTick(in MediaTick tick)
    {
        _inTick = true;
        try
        {
            lock (_ticks) _ticks.Add(tick.Index);
            if (TickDelay > TimeSpan.Zero) Thread.Sleep(TickDelay);
            if (Throw) throw new InvalidOperationException("tick failure for the test");
        }
        finally
        {
            _inTick = false;
        }
    }
}
