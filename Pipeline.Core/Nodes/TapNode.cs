using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// A probe: offers every item to its <see cref="Tap"/> (observers get copies, off the media path),
/// then passes the item on — or returns it to the pool when the output is not connected.
/// <code>  in ──► [tap: Publish(copy)] ──► out</code>
/// Its input is inline: items are handled on the writer's thread, with no queue and no node loop of its own.
/// </summary>
public sealed class TapNode<T> : Node where T : class, IMediaItem
{
    public TapNode(string name, int tapCapacity = 64)
        : base(name)
    {
        Input = AddInlineInput<T>("in", Forward);
        Output = AddOutput<T>("out");
        Tap = new Tap<T>(name, tapCapacity);
    }

    public InputPort<T> Input { get; }

    public OutputPort<T> Output { get; }

    /// <summary>The observable. See <see cref="Tap{T}"/> for what an observer may keep.</summary>
    public Tap<T> Tap { get; }

    protected internal override async ValueTask OnStoppedAsync() => await Tap.CompleteAsync().ConfigureAwait(false);

    private void Forward(T item)
    {
        Tap.Publish(item);
        Output.Emit(item);
    }
}
