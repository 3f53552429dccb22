using Pipeline.Core.Graph;
using Pipeline.Core.Nodes;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Nodes;

public class TeeAndSwitchNodeTests
{
    [Fact]
    public async Task Tee_passes_the_original_to_out0_and_copies_to_the_other_connected_outputs()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var tee = graph.Add(new TeeNode<TestItem>("tee", 3));
        var s0 = graph.Add(new SinkNode<TestItem>("s0"));
        var s1 = graph.Add(new SinkNode<TestItem>("s1"));
        graph.Connect(tee.Outputs[0], s0.Input);
        graph.Connect(tee.Outputs[1], s1.Input);
        graph.Start();
        var item = new TestItem(5);
        tee.Input.Write(item);
        var got0 = Assert.Single(await s0.WaitForAsync(1));
        var got1 = Assert.Single(await s1.WaitForAsync(1));
        Assert.Same(item, got0);
        Assert.NotSame(item, got1);
        Assert.True(got1.IsClone);
        Assert.Equal(5, got1.Id);
        Assert.Equal(1, item.CloneCount); // out2 is not connected: no copy made for it
    }

    [Fact]
    public async Task Closed_switch_returns_items_to_the_pool_and_an_open_one_passes_them()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var sw = graph.Add(new SwitchNode<TestItem>("hold", open: false));
        var sink = graph.Add(new SinkNode<TestItem>());
        graph.Connect(sw.Output, sink.Input);
        graph.Start();
        var blocked = new TestItem(1);
        sw.Input.Write(blocked);
        Assert.True(await Wait.UntilAsync(() => blocked.IsDisposed));
        Assert.Equal(1, sw.Blocked);
        sw.IsOpen = true;
        var passed = new TestItem(2);
        sw.Input.Write(passed);
        Assert.Same(passed, Assert.Single(await sink.WaitForAsync(1)));
        Assert.False(passed.IsDisposed);
    }

    [Fact]
    public async Task Gate_tap_and_tee_hand_items_on_during_the_write_itself_with_no_loop_of_their_own()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var sw = graph.Add(new SwitchNode<TestItem>("gate"));
        var tap = graph.Add(new TapNode<TestItem>("tap"));
        var tee = graph.Add(new TeeNode<TestItem>("tee", 2));
        var sink = graph.Add(new SinkNode<TestItem>());
        graph.Connect(sw.Output, tap.Input);
        graph.Connect(tap.Output, tee.Input);
        graph.Connect(tee.Outputs[0], sink.Input);

        // Not started: a queued input would hold the item at the gate; inline ones pass it straight to the sink's queue.
        sw.Input.Write(new TestItem(7));
        Assert.True(sw.Input.IsInline && tap.Input.IsInline && tee.Input.IsInline);
        Assert.Equal(1, sink.Input.Pending);
        Assert.Equal(0, sw.Input.Pending);
        graph.Start();
        Assert.Equal(7, Assert.Single(await sink.WaitForAsync(1)).Id);
    }
}
