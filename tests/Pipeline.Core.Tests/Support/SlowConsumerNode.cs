using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Support;

/// <summary>Reads a lossless input slowly, counting and disposing what it consumed (a recorder stand-in).</summary>
internal sealed class SlowConsumerNode<T> : Node where T : class, IMediaItem
{
    private readonly TimeSpan _perItem;
    private int _consumed;

    public SlowConsumerNode(TimeSpan perItem, EdgePolicy policy = EdgePolicy.Lossless, bool throwOnFirst = false)
        : base("slow")
    {
        _perItem = perItem;
        ThrowOnFirst = throwOnFirst;
        Input = AddInput<T>("in", 4, policy);
    }

    public InputPort<T> Input { get; }

    public bool ThrowOnFirst { get; set; }

    public int Consumed => Volatile.Read(ref _consumed);

    protected internal override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Consume, cancellationToken);

    private void Consume(T item)
    {
        using (item)
        {
            if (ThrowOnFirst)
            {
                ThrowOnFirst = false;
                throw new InvalidOperationException("bad item for the test");
            }

            Thread.Sleep(_perItem);
            Interlocked.Increment(ref _consumed);
        }
    }
}
