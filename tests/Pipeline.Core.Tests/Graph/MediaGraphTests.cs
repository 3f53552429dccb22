using Pipeline.Core.Graph;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Graph;

public class MediaGraphTests
{
    [Fact]
    public async Task Edit_on_a_running_graph_waits_for_the_next_tick_and_lands_before_it()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var first = graph.Add(new TickCounterNode("first"));
        graph.Start();
        clock.Advance(2);

        var late = new TickCounterNode("late");
        var edit = graph.EditAsync(g => g.Add(late));
        Assert.False(edit.IsCompleted);
        Assert.Null(late.Graph);

        clock.Advance();
        await edit;
        Assert.Same(graph, late.Graph);
        Assert.Equal([0L, 1, 2], first.Ticks);
        Assert.Equal([2L], late.Ticks); // applied between ticks 1 and 2, so it took part in tick 2 whole
    }

    [Fact]
    public async Task Edits_never_run_while_a_tick_is_in_progress_on_a_real_clock()
    {
        await using var clock = new MediaClock(TimeSpan.FromMilliseconds(5));
        clock.Start();
        await using var graph = new MediaGraph(clock);
        var ticker = graph.Add(new TickCounterNode());
        graph.Start();
        int clockThreadEdits = 0;
        for (int i = 0; i < 20; i++)
        {
            await graph.EditAsync(_ =>
            {
                Assert.False(ticker.InTick);
                if (Thread.CurrentThread.Name == "Pipeline media clock") clockThreadEdits++;
            });
        }

        Assert.Equal(20, clockThreadEdits);
    }

    [Fact]
    public async Task Stop_does_not_tear_nodes_down_while_a_tick_is_still_running()
    {
        await using var clock = new MediaClock(TimeSpan.FromMilliseconds(5));
        var graph = new MediaGraph(clock);
        var heavy = graph.Add(new TickCounterNode { TickDelay = TimeSpan.FromMilliseconds(100) });
        graph.Start();
        clock.Start();
        Assert.True(await Wait.UntilAsync(() => heavy.InTick));
        await graph.StopAsync(TimeSpan.Zero);
        Assert.False(heavy.StoppedDuringTick, "OnStoppedAsync ran concurrently with OnTick");
        Assert.False(heavy.InTick);
    }

    [Fact]
    public async Task Structure_changes_from_another_thread_are_refused_even_while_an_edit_runs()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        graph.Start();
        Exception? fromOtherThread = null;
        var edit = graph.EditAsync(_ =>
        {
            var t = new Thread(() => fromOtherThread = Record.Exception(() => graph.Add(new TickCounterNode())));
            t.Start();
            t.Join();
        });
        clock.Advance();
        await edit;
        Assert.IsType<InvalidOperationException>(fromOtherThread);
    }

    [Fact]
    public async Task Structure_changes_outside_an_edit_are_refused_while_running()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock, "g1");
        var source = graph.Add(new SourceNode<TestItem>());
        var sink = graph.Add(new SinkNode<TestItem>());
        graph.Start();
        var ex = Assert.Throws<InvalidOperationException>(() => graph.Add(new TickCounterNode()));
        Assert.Contains("EditAsync", ex.Message);
        Assert.Throws<InvalidOperationException>(() => graph.Connect(source.Output, sink.Input));
    }

    [Fact]
    public async Task Ports_of_a_node_in_another_graph_cannot_be_connected()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var g1 = new MediaGraph(clock, "g1");
        await using var g2 = new MediaGraph(clock, "g2");
        var source = g1.Add(new SourceNode<TestItem>());
        var sink = g2.Add(new SinkNode<TestItem>());
        Assert.Throws<InvalidOperationException>(() => g1.Connect(source.Output, sink.Input));
        Assert.Throws<InvalidOperationException>(() => g2.Add(source));
    }

    [Fact]
    public async Task A_stopped_graph_cannot_restart_and_gets_no_more_ticks()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var ticker = graph.Add(new TickCounterNode());
        graph.Start();
        clock.Advance();
        await graph.StopAsync(TimeSpan.Zero);
        clock.Advance(3);
        Assert.Single(ticker.Ticks);
        Assert.Equal(0, clock.GraphCount);
        Assert.Throws<InvalidOperationException>(graph.Start);
    }

    [Fact]
    public async Task Stop_waits_for_a_slow_consumer_to_drain_a_lossless_edge()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var source = graph.Add(new SourceNode<TestItem>());
        var recorder = graph.Add(new SlowConsumerNode<TestItem>(TimeSpan.FromMilliseconds(5)));
        graph.Connect(source.Output, recorder.Input);
        graph.Start();
        for (int i = 0; i < 40; i++) source.Output.Emit(new TestItem(i));
        await graph.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(40, recorder.Consumed);
    }

    [Fact]
    public async Task Stop_returns_items_left_in_ports_to_their_pools()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        var source = graph.Add(new SourceNode<TestItem>());
        var sink = graph.Add(new SinkNode<TestItem>());
        graph.Connect(source.Output, sink.Input);
        graph.Start();
        var items = Enumerable.Range(0, 5).Select(i => new TestItem(i)).ToArray();
        foreach (var i in items) source.Output.Emit(i);
        await graph.StopAsync(TimeSpan.FromMilliseconds(50));
        Assert.All(items, i => Assert.Equal(1, i.DisposeCount));
    }

    [Fact]
    public async Task Removing_a_node_disconnects_the_outputs_that_fed_it()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var source = graph.Add(new SourceNode<TestItem>());
        var sink = graph.Add(new SinkNode<TestItem>());
        graph.Connect(source.Output, sink.Input);
        graph.Start();
        var edit = graph.EditAsync(g => _ = g.RemoveAsync(sink));
        clock.Advance();
        await edit;
        Assert.False(source.Output.IsConnected);
        Assert.Null(sink.Graph);
        var item = new TestItem(1);
        source.Output.Emit(item);
        Assert.True(item.IsDisposed);
    }

    [Fact]
    public async Task A_throwing_item_handler_or_tick_does_not_stop_the_graph()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        await using var graph = new MediaGraph(clock);
        var bad = graph.Add(new TickCounterNode("bad") { Throw = true });
        var good = graph.Add(new TickCounterNode("good"));
        var source = graph.Add(new SourceNode<TestItem>());
        var consumer = graph.Add(new SlowConsumerNode<TestItem>(TimeSpan.Zero, throwOnFirst: true));
        graph.Connect(source.Output, consumer.Input);
        graph.Start();
        clock.Advance(3);
        Assert.Equal(3, bad.Ticks.Count);
        Assert.Equal(3, good.Ticks.Count);
        for (int i = 0; i < 3; i++) source.Output.Emit(new TestItem(i));
        Assert.True(await Wait.UntilAsync(() => consumer.Consumed == 2));
    }

    [Fact]
    public async Task Edits_queued_when_the_graph_stops_are_cancelled_not_left_hanging()
    {
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        var graph = new MediaGraph(clock);
        graph.Start();
        var ran = false;
        var edit = graph.EditAsync(_ => ran = true);
        await graph.StopAsync(TimeSpan.Zero);
        // Stop applies what was queued before it detached from the clock.
        await edit;
        Assert.True(ran);
    }
}
