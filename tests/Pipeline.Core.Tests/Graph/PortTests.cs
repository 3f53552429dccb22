using Pipeline.Core.Graph;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Graph;

public class PortTests
{
    private sealed class TwoPorts : Node
    {
        public TwoPorts(int capacity, EdgePolicy policy)
            : base("ports")
        {
            In = AddInput<TestItem>("in", capacity, policy);
            Out = AddOutput<TestItem>("out");
        }

        public InputPort<TestItem> In { get; }

        public OutputPort<TestItem> Out { get; }
    }

    [Fact]
    public void Drop_oldest_edge_drops_and_disposes_the_oldest_item_when_full()
    {
        var n = new TwoPorts(2, EdgePolicy.DropOldest);
        var items = Enumerable.Range(0, 3).Select(i => new TestItem(i)).ToArray();
        foreach (var i in items) n.In.Write(i);
        Assert.Equal(1, n.In.Dropped);
        Assert.True(items[0].IsDisposed);
        Assert.False(items[1].IsDisposed);
        Assert.Equal(2, n.In.Pending);
        Assert.True(n.In.Reader.TryRead(out var first));
        Assert.Same(items[1], first);
    }

    [Fact]
    public void Lossless_edge_keeps_everything_and_counts_what_waits()
    {
        var n = new TwoPorts(2, EdgePolicy.Lossless);
        var items = Enumerable.Range(0, 100).Select(i => new TestItem(i)).ToArray();
        foreach (var i in items) n.In.Write(i);
        Assert.Equal(0, n.In.Dropped);
        Assert.Equal(100, n.In.Pending);
        Assert.DoesNotContain(items, i => i.IsDisposed);
    }

    [Fact]
    public void Drain_returns_waiting_items_to_their_pool()
    {
        var n = new TwoPorts(8, EdgePolicy.DropOldest);
        var items = Enumerable.Range(0, 5).Select(i => new TestItem(i)).ToArray();
        foreach (var i in items) n.In.Write(i);
        n.In.Drain();
        Assert.Equal(0, n.In.Pending);
        Assert.All(items, i => Assert.Equal(1, i.DisposeCount));
    }

    [Fact]
    public void Emit_on_an_unconnected_output_disposes_the_item_and_counts_it()
    {
        var n = new TwoPorts(2, EdgePolicy.DropOldest);
        var item = new TestItem(1);
        n.Out.Emit(item);
        Assert.True(item.IsDisposed);
        Assert.Equal(1, n.Out.Discarded);
        Assert.Equal(0, n.Out.Emitted);
    }
}
