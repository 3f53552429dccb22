using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// A gate: passes items while open, returns them to the pool while closed. The send branch of a
/// held call is stopped here.
/// <code>  in ──► [switch: open?] ──► out</code>
/// Its input is inline: items are handled on the writer's thread, with no queue and no node loop of its own.
/// </summary>
public sealed class SwitchNode<T> : Node where T : class, IMediaItem
{
    private volatile bool _open;
    private long _blocked;

    public SwitchNode(string name, bool open = true)
        : base(name)
    {
        _open = open;
        Input = AddInlineInput<T>("in", Forward);
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
