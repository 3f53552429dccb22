using Pipeline.Core.Media;

namespace Pipeline.Core.Graph;

/// <summary>A node's typed output. Connected to at most one input at a time (fan out with a
/// <see cref="Nodes.TeeNode{T}"/>); retargeting it is a single atomic swap, so the item stream moves
/// from one consumer to the next with nothing duplicated or lost in between.</summary>
public sealed class OutputPort<T> : Port, IRetargetable where T : class, IMediaItem
{
    private InputPort<T>? _target;
    private long _emitted;
    private long _discarded;

    internal OutputPort(Node owner, string name)
        : base(owner, name)
    {
    }

    public override Type ItemType => typeof(T);

    public InputPort<T>? Target => Volatile.Read(ref _target);

    public bool IsConnected => Target is not null;

    /// <summary>Items passed to a connected input.</summary>
    public long Emitted => Interlocked.Read(ref _emitted);

    /// <summary>Items discarded because nothing was connected.</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    /// <summary>Hands <paramref name="item"/> on. Ownership passes with it: when nothing is connected it is returned to its pool.</summary>
    public void Emit(T item)
    {
        var target = Volatile.Read(ref _target);
        if (target is null)
        {
            Interlocked.Increment(ref _discarded);
            item.Dispose();
            return;
        }

        Interlocked.Increment(ref _emitted);
        target.Write(item);
    }

    Node? IRetargetable.TargetOwner => Target?.Owner;

    void IRetargetable.Unlink() => ConnectTo(null);

    internal void ConnectTo(InputPort<T>? input) => Volatile.Write(ref _target, input);
}
