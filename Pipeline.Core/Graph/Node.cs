using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;

namespace Pipeline.Core.Graph;

/// <summary>
/// One job in a media graph. A node declares typed ports in its constructor
/// (<see cref="AddInput{T}"/>, <see cref="AddOutput{T}"/>) and does its work either in
/// <see cref="RunAsync"/> (reading its inputs as items arrive, on the thread pool) or in
/// <see cref="IClockDriven.OnTick"/> (on the shared clock's beat), or both.
/// Nodes never own threads or timers.
/// </summary>
public abstract class Node
{
    private readonly List<Port> _ports = [];
    private int _busy;

    protected Node(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    public string Name { get; }

    /// <summary>The graph this node belongs to, once added.</summary>
    public MediaGraph? Graph { get; internal set; }

    public IReadOnlyList<Port> Ports => _ports;

    protected ILogger Logger => Graph?.Logger ?? NullLogger.Instance;

    protected InputPort<T> AddInput<T>(string name, int capacity = 16, EdgePolicy policy = EdgePolicy.DropOldest)
        where T : class, IMediaItem
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var p = new InputPort<T>(this, name, capacity, policy);
        _ports.Add(p);
        return p;
    }

    /// <summary>Adds an input handled inline: <paramref name="process"/> runs on the writer's thread as each item is
    /// written (it owns the item), with no queue and no node loop. Use it only for work that is trivial, never
    /// blocks and is safe from several writers at once (a gate, a tap, a tee); everything else gets a real input.</summary>
    protected InputPort<T> AddInlineInput<T>(string name, Action<T> process)
        where T : class, IMediaItem
    {
        ArgumentNullException.ThrowIfNull(process);
        var p = new InputPort<T>(this, name, process);
        _ports.Add(p);
        return p;
    }

    /// <summary>Logs an exception thrown while handling an item (one bad frame never stops a call).</summary>
    internal void ReportItemFailure(Exception ex, Port port) => Logger.LogWarning(ex, "Node {Node} failed on an item from {Port}", Name, port.Name);

    protected OutputPort<T> AddOutput<T>(string name)
        where T : class, IMediaItem
    {
        var p = new OutputPort<T>(this, name);
        _ports.Add(p);
        return p;
    }

    /// <summary>Called once when the graph starts (or when the node is added to a running graph), before any tick.</summary>
    protected internal virtual void OnStart()
    {
    }

    /// <summary>The node's processing loop, run on the thread pool while the graph runs. Default: none.</summary>
    protected internal virtual Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called once after the graph stopped and the node's loop ended: flush and close here.</summary>
    protected internal virtual ValueTask OnStoppedAsync() => ValueTask.CompletedTask;

    /// <summary>Reads <paramref name="input"/> until cancelled, handing each item to <paramref name="process"/>,
    /// which owns it. An exception from <paramref name="process"/> is logged and the loop goes on:
    /// one bad frame never stops a call.</summary>
    protected async Task PumpAsync<T>(InputPort<T> input, Action<T> process, CancellationToken cancellationToken)
        where T : class, IMediaItem
    {
        var reader = input.Reader;

        // Waiting without the token keeps the wait allocation-free (a cancellable wait allocates each time);
        // cancellation completes the input instead, which ends the wait.
        using var registration = cancellationToken.Register(static p => ((InputPort<T>)p!).Complete(), input);
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var item))
            {
                Interlocked.Increment(ref _busy);
                try
                {
                    process(item);
                }
                catch (Exception ex)
                {
                    Logger.LogWarning(ex, "Node {Node} failed on an item from {Port}", Name, input.Name);
                }
                finally
                {
                    Interlocked.Decrement(ref _busy);
                }
            }

            if (cancellationToken.IsCancellationRequested) break;
        }
    }

    /// <summary>True while the node is handling an item taken from an input (the graph waits for it when draining).</summary>
    internal bool IsBusy => Volatile.Read(ref _busy) > 0;

    public override string ToString() => $"{GetType().Name} '{Name}'";
}
