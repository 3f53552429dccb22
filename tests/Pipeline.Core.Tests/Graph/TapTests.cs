using System.Diagnostics;
using Pipeline.Core.Graph;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Graph;

public class TapTests
{
    private sealed class Observer(Action<TestItem>? onNext = null) : IObserver<TestItem>
    {
        public List<int> Ids { get; } = [];

        public List<TestItem> Seen { get; } = [];

        public Exception? Error { get; private set; }

        public bool Completed { get; private set; }

        public void OnNext(TestItem value)
        {
            lock (Ids)
            {
                Ids.Add(value.Id);
                Seen.Add(value);
            }

            onNext?.Invoke(value);
        }

        public void OnError(Exception error) => Error = error;

        public void OnCompleted() => Completed = true;
    }

    [Fact]
    public void Without_observers_publishing_copies_nothing()
    {
        using var tap = new Tap<TestItem>("t");
        var item = new TestItem(1);
        tap.Publish(item);
        Assert.Equal(0, item.CloneCount);
        Assert.False(item.IsDisposed);
    }

    [Fact]
    public async Task A_slow_observer_never_delays_the_media_path_and_misses_the_oldest_items()
    {
        using var release = new ManualResetEventSlim();
        var tap = new Tap<TestItem>("t", capacity: 4);
        var slow = new Observer(_ => release.Wait(TimeSpan.FromSeconds(5)));
        using var sub = tap.Subscribe(slow);
        var sw = Stopwatch.StartNew();
        var items = Enumerable.Range(0, 100).Select(i => new TestItem(i)).ToArray();
        foreach (var i in items) tap.Publish(i);
        sw.Stop();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"Publish took {sw.Elapsed}");
        Assert.True(tap.Dropped >= 90, $"dropped {tap.Dropped}");
        Assert.DoesNotContain(items, i => i.IsDisposed); // the caller keeps ownership of what it published
        release.Set();
        await tap.CompleteAsync();
        Assert.True(slow.Completed);
        Assert.Equal(99, slow.Ids[^1]); // the newest item got through
    }

    [Fact]
    public async Task A_throwing_observer_is_unsubscribed_with_OnError_and_the_others_carry_on()
    {
        var tap = new Tap<TestItem>("t");
        var bad = new Observer(i =>
        {
            if (i.Id == 1) throw new InvalidOperationException("observer bug");
        });
        var good = new Observer();
        tap.Subscribe(bad);
        tap.Subscribe(good);
        for (int i = 0; i < 4; i++) tap.Publish(new TestItem(i));
        await tap.CompleteAsync();
        Assert.Equal([0, 1], bad.Ids);
        Assert.IsType<InvalidOperationException>(bad.Error);
        Assert.False(bad.Completed);
        Assert.Equal([0, 1, 2, 3], good.Ids);
        Assert.True(good.Completed);
    }

    [Fact]
    public async Task The_item_handed_to_OnNext_is_a_copy_leased_until_OnNext_returns()
    {
        var tap = new Tap<TestItem>("t");
        bool disposedDuringOnNext = true;
        var obs = new Observer(i => disposedDuringOnNext = i.IsDisposed);
        tap.Subscribe(obs);
        var original = new TestItem(7);
        tap.Publish(original);
        await tap.CompleteAsync();
        var seen = Assert.Single(obs.Seen);
        Assert.NotSame(original, seen);
        Assert.True(seen.IsClone);
        Assert.False(disposedDuringOnNext);
        Assert.True(seen.IsDisposed); // returned to the pool once OnNext returned
        Assert.False(original.IsDisposed);
    }

    [Fact]
    public void Subscribing_to_a_completed_tap_completes_at_once_and_unsubscribe_stops_delivery()
    {
        var tap = new Tap<TestItem>("t");
        tap.Complete();
        var late = new Observer();
        tap.Subscribe(late);
        Assert.True(late.Completed);

        var tap2 = new Tap<TestItem>("t2");
        var o = new Observer();
        var sub = tap2.Subscribe(o);
        Assert.True(tap2.HasObservers);
        sub.Dispose();
        Assert.False(tap2.HasObservers);
        var item = new TestItem(1);
        tap2.Publish(item);
        Assert.Equal(0, item.CloneCount);
    }
}
