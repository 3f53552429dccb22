using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;

namespace Pipeline.Core.Graph;

/// <summary>
/// A set of nodes wired by typed channels, driven by a shared <see cref="MediaClock"/>.
/// <code>
///   Add(node)… Connect(out, in)… Start() ──► running: EditAsync(g => …) applied between two ticks ──► StopAsync(): drain, close, return buffers
/// </code>
/// While the graph runs, structure changes only inside <see cref="EditAsync"/>, which the clock
/// applies between two ticks (never halfway through one); before start and after stop, changes apply at once.
/// </summary>
public sealed class MediaGraph : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<Node> _nodes = [];
    private readonly List<IClockDriven> _driven = [];
    private IClockDriven[] _drivenSnapshot = [];
    private readonly Dictionary<Node, (Task Task, CancellationTokenSource Cts)> _running = [];
    private readonly ConcurrentQueue<(Action<MediaGraph> Edit, TaskCompletionSource Done)> _edits = new();
    private int _editThread; // managed thread id running an edit, 0 when none

    public MediaGraph(MediaClock clock, string name = "graph", ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        Name = name;
        Logger = logger ?? NullLogger.Instance;
    }

    public MediaClock Clock { get; }

    public string Name { get; }

    public ILogger Logger { get; }

    public GraphState State { get; private set; } = GraphState.Created;

    public IReadOnlyList<Node> Nodes
    {
        get
        {
            lock (_gate) return _nodes.ToArray();
        }
    }

    /// <summary>Adds a node. On a running graph, call it inside <see cref="EditAsync"/>.</summary>
    public T Add<T>(T node)
        where T : Node
    {
        ArgumentNullException.ThrowIfNull(node);
        EnsureStructureChangeAllowed();
        if (node.Graph is not null) throw new InvalidOperationException($"{node} already belongs to graph '{node.Graph.Name}'.");
        lock (_gate)
        {
            node.Graph = this;
            _nodes.Add(node);
            if (node is IClockDriven d)
            {
                _driven.Add(d);
                _drivenSnapshot = [.. _driven];
            }

            if (State == GraphState.Running) StartNode(node);
        }

        return node;
    }

    /// <summary>Removes a node: its loop stops, its inputs are drained, and outputs that fed it are disconnected.</summary>
    public async Task RemoveAsync(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        EnsureStructureChangeAllowed();
        (Task Task, CancellationTokenSource Cts) run = default;
        bool started;
        lock (_gate)
        {
            started = State == GraphState.Running;
            if (node.Graph != this) throw new InvalidOperationException($"{node} is not in graph '{Name}'.");
            _nodes.Remove(node);
            if (node is IClockDriven d)
            {
                _driven.Remove(d);
                _drivenSnapshot = [.. _driven];
            }

            foreach (var other in _nodes)
            {
                foreach (var p in other.Ports) DisconnectIfTargets(p, node);
            }

            if (_running.Remove(node, out run)) run.Cts.Cancel();
            node.Graph = null;
        }

        if (run.Task is not null)
        {
            await run.Task.ConfigureAwait(false);
            run.Cts.Dispose();
        }

        if (started) await StopNodeAsync(node).ConfigureAwait(false);
    }

    /// <summary>Connects <paramref name="from"/> to <paramref name="to"/>, replacing whatever <paramref name="from"/> fed before.</summary>
    public void Connect<T>(OutputPort<T> from, InputPort<T> to)
        where T : class, IMediaItem
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        EnsureStructureChangeAllowed();
        if (from.Owner.Graph != this) throw new InvalidOperationException($"Port {from} belongs to a node that is not in graph '{Name}'.");
        if (to.Owner.Graph != this) throw new InvalidOperationException($"Port {to} belongs to a node that is not in graph '{Name}'.");
        from.ConnectTo(to);
    }

    public void Disconnect<T>(OutputPort<T> from)
        where T : class, IMediaItem
    {
        ArgumentNullException.ThrowIfNull(from);
        EnsureStructureChangeAllowed();
        from.ConnectTo(null);
    }

    /// <summary>
    /// Queues a structural edit. On a running graph it runs on the clock thread between two ticks
    /// (the returned task completes then); otherwise at once. Keep edits short: they delay the tick.
    /// </summary>
    public Task EditAsync(Action<MediaGraph> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (State != GraphState.Running)
        {
            RunEdit(edit);
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _edits.Enqueue((edit, done));
        if (Clock.IsManual == false && !Clock.IsRunning)
        {
            // Nobody will tick: apply now rather than hang.
            ApplyPendingEdits();
        }

        return done.Task;
    }

    public void Start()
    {
        lock (_gate)
        {
            if (State == GraphState.Running) return;
            if (State == GraphState.Stopped) throw new InvalidOperationException($"Graph '{Name}' was stopped; a stopped graph cannot be restarted.");
            State = GraphState.Running;
            foreach (var n in _nodes) StartNode(n);

            // Inside the lock: a StopAsync racing with Start then always detaches after this attach (otherwise a
            // stopped graph could stay on the clock, ticking its nodes for ever).
            Clock.Attach(this);
        }
    }

    /// <summary>
    /// Stops the graph: no more ticks, then waits up to <paramref name="drainTimeout"/> for items in
    /// flight to be consumed (so a recorder writes the last audio), stops every loop, returns what is
    /// left to the pools, and lets each node flush and close.
    /// </summary>
    public async Task StopAsync(TimeSpan? drainTimeout = null)
    {
        lock (_gate)
        {
            if (State != GraphState.Running)
            {
                State = GraphState.Stopped;
                return;
            }
        }

        Clock.Detach(this);
        ApplyPendingEdits();
        var deadline = DateTime.UtcNow + (drainTimeout ?? TimeSpan.FromMilliseconds(500));
        while (DateTime.UtcNow < deadline && AnyPending())
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        (Task Task, CancellationTokenSource Cts)[] runs;
        Node[] nodes;
        lock (_gate)
        {
            State = GraphState.Stopped;
            runs = [.. _running.Values];
            _running.Clear();
            nodes = [.. _nodes];
        }

        foreach (var r in runs) r.Cts.Cancel();
        try
        {
            await Task.WhenAll(runs.Select(r => r.Task)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "A node loop of graph {Graph} ended with an error", Name);
        }

        foreach (var r in runs) r.Cts.Dispose();
        foreach (var n in nodes) await StopNodeAsync(n).ConfigureAwait(false);
        while (_edits.TryDequeue(out var e)) e.Done.TrySetCanceled();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    internal void ApplyPendingEdits()
    {
        while (_edits.TryDequeue(out var e))
        {
            try
            {
                RunEdit(e.Edit);
                e.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                e.Done.TrySetException(ex);
            }
        }
    }

    internal void Tick(in MediaTick tick)
    {
        foreach (var d in _drivenSnapshot)
        {
            try
            {
                d.OnTick(tick);
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "Tick failed in {Node} of graph {Graph}", d, Name);
            }
        }
    }

    private void RunEdit(Action<MediaGraph> edit)
    {
        int outer = _editThread;
        _editThread = Environment.CurrentManagedThreadId;
        try
        {
            edit(this);
        }
        finally
        {
            _editThread = outer;
        }
    }

    private void EnsureStructureChangeAllowed()
    {
        if (State == GraphState.Running && Volatile.Read(ref _editThread) != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException($"Graph '{Name}' is running: change its structure inside EditAsync so the change lands between two ticks.");
        }
    }

    private bool AnyPending()
    {
        lock (_gate)
        {
            foreach (var n in _nodes)
            {
                if (n.IsBusy) return true;
            }

            foreach (var n in _nodes)
            {
                foreach (var p in n.Ports)
                {
                    if (p is IPendingCount c && c.PendingCount > 0) return true;
                }
            }
        }

        return false;
    }

    private void StartNode(Node node)
    {
        node.OnStart();
        if (!HasLoop(node)) return; // clock-driven only: no task, no cancellation source
        var cts = new CancellationTokenSource();
        Task t;
        try
        {
            t = Task.Run(() => node.RunAsync(cts.Token));
        }
        catch (Exception ex)
        {
            t = Task.FromException(ex);
        }

        _running[node] = (t, cts);
    }

    private async Task StopNodeAsync(Node node)
    {
        foreach (var p in node.Ports)
        {
            if (p is IDrainable d) d.DrainAll();
        }

        try
        {
            await node.OnStoppedAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "{Node} failed to stop cleanly", node);
        }
    }

    private static readonly ConcurrentDictionary<Type, bool> LoopByType = new();

    /// <summary>True when the node's type overrides <see cref="Node.RunAsync"/> (cached per type).</summary>
    private static bool HasLoop(Node node) => LoopByType.GetOrAdd(
        node.GetType(),
        static t => t.GetMethod(nameof(Node.RunAsync), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(CancellationToken)])?.DeclaringType != typeof(Node));

    private static void DisconnectIfTargets(Port p, Node removed)
    {
        if (p is IRetargetable r && r.TargetOwner == removed) r.Unlink();
    }
}

internal interface IPendingCount
{
    int PendingCount { get; }
}

internal interface IDrainable
{
    void DrainAll();
}

internal interface IRetargetable
{
    Node? TargetOwner { get; }

    void Unlink();
}
