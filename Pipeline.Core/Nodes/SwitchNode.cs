using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// A gate: passes items while open, returns them to the pool while closed. The send branch of a
/// held call is stopped here.
/// <code>  in ──► [switch: open?] ──► out</code>
/// </summary>
public sealed class SwitchNode<T> : Node where T : class, IMediaItem
{
    private volatile bool _open;
    private long _blocked;

    public SwitchNode(string name, bool open = true)
        : base(name)
    {
        _open = open;
        Input = AddInput<T>("in");
        Output = AddOutput<T>("out");
    }

    public InputPort<T> Input { get; }

    public OutputPort<T> Output { get; }

    public bool IsOpen
    {
        get => _open;
        set => _open = value;
    }

    /// <summary>Items discarded while closed.</summary>
    public long Blocked => Interlocked.Read(ref _blocked);

    protected internal override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Forward, cancellationToken);

    private void Forward(T item)
    {
        if (_open)
        {
            Output.Emit(item);
        }
        else
        {
            Interlocked.Increment(ref _blocked);
            item.Dispose();
        }
    }
}
