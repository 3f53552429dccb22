using Pipeline.Core.Graph;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Graph;

public class MediaClockTests
{
    [Fact]
    public async Task Manual_clock_ticks_only_when_advanced_with_consecutive_indexes()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(10), manual: true);
        await using var graph = new MediaGraph(clock);
        var ticker = graph.Add(new TickCounterNode());
        graph.Start();
        Assert.Empty(ticker.Ticks);
        clock.Advance(3);
        Assert.Equal([0L, 1, 2], ticker.Ticks);
        Assert.Equal(3, clock.TickCount);
        Assert.Equal(TimeSpan.FromMilliseconds(20), new MediaTick(2, clock.Period).Time);
    }

    [Fact]
    public void Manual_and_real_clocks_refuse_each_others_operations()
    {
        var manual = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        Assert.Throws<InvalidOperationException>(manual.Start);
        var real = new MediaClock(TimeSpan.FromMilliseconds(20));
        Assert.Throws<InvalidOperationException>(() => real.Advance());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(101)]
    public void Period_outside_1_to_100_ms_is_refused(double ms)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaClock(TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public async Task Real_clock_ticks_at_about_its_period()
    {
        await using var clock = new MediaClock(TimeSpan.FromMilliseconds(10));
        await using var graph = new MediaGraph(clock);
        var ticker = graph.Add(new TickCounterNode());
        graph.Start();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        clock.Start();
        await Task.Delay(300);
        int n = ticker.Ticks.Count;
        double expected = sw.Elapsed.TotalMilliseconds / 10;
        // Generous bounds for a loaded 2-core machine; no bursts beyond the catch-up limit.
        Assert.InRange(n, expected * 0.5, expected + 2);
    }
}
