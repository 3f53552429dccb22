using System.Threading.Channels;
using Pipeline.Core.Media;

namespace Pipeline.Core.Graph;

/// <summary>A node's typed input: a channel that any number of output ports may feed.
/// Only the owning node reads it. An inline input (see <c>Node.AddInlineInput</c>) has no channel: the owning
/// node handles each item on the writer's thread.</summary>
public sealed class InputPort<T> : Port, IPendingCount, IDrainable where T : class, IMediaItem
{
    private static readonly Channel<T> NoQueue = MakeClosed();
    private readonly Channel<T> _channel;
    private readonly Action<T>? _inline;
    private long _dropped;

    /// <summary>An inline input: <paramref name="process"/> runs on the writer's thread inside <see cref="Write"/>;
    /// no queue, no node loop. Only for nodes whose work is trivial and thread-safe (gates, taps, tees).</summary>
    internal InputPort(Node owner, string name, Action<T> process)
        : base(owner, name)
    {
        Policy = EdgePolicy.Lossless;
        Capacity = 0;
        _inline = process;
        _channel = NoQueue;
    }

    /// <summary>True when items are handled on the writer's thread (no queue).</summary>
    public bool IsInline => _inline is not null;

    internal InputPort(Node owner, string name, int capacity, EdgePolicy policy)
        : base(owner, name)
    {
        Policy = policy;
        Capacity = capacity;
        _channel = policy == EdgePolicy.Lossless
            // SingleReader stays false here: the single-reader unbounded channel cannot count its items, and
            // Pending (which StopAsync waits on so a recorder writes the last audio) must work on lossless edges.
            ? Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = false, AllowSynchronousContinuations = false })
            : Channel.CreateBounded<T>(
                new BoundedChannelOptions(capacity)
                {
                    FullMode = BoundedChannelFullMode.DropOldest,
                    SingleReader = true,
                    SingleWriter = false,
                    AllowSynchronousContinuations = false,
                },
                item =>
                {
                    Interlocked.Increment(ref _dropped);
                    item.Dispose();
                });
    }

    public EdgePolicy Policy { get; }

    public int Capacity { get; }

    public override Type ItemType => typeof(T);

    /// <summary>Items dropped because the node fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Items waiting.</summary>
    public int Pending => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>Writes an item. Ownership passes to the port, also when the item is refused (it is then disposed).</summary>
    public void Write(T item)
    {
        if (_inline is not null)
        {
            try
            {
                _inline(item);
            }
            catch (Exception ex)
            {
                Owner.ReportItemFailure(ex, this);
            }

            return;
        }

        if (!_channel.Writer.TryWrite(item))
        {
            item.Dispose();
        }
    }

    int IPendingCount.PendingCount => Pending;

    void IDrainable.DrainAll() => Drain();

    private static Channel<T> MakeClosed()
    {
        var c = Channel.CreateUnbounded<T>();
        c.Writer.TryComplete();
        return c;
    }

    /// <summary>Refuses further items (they are returned to their pool); items already queued can still be read.</summary>
    internal void Complete()
    {
        if (_inline is null) _channel.Writer.TryComplete();
    }

    /// <summary>Returns every waiting item to its pool.</summary>
    public void Drain()
    {
        while (_channel.Reader.TryRead(out var item))
        {
            item.Dispose();
        }
    }
}
