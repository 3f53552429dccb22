using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;

namespace Pipeline.Core.Graph;

/// <summary>
/// An observable view of items passing a point of the graph, fed off the media path.
/// <code>
///   media path ──Publish(item)──► copy ──► bounded queue (drops oldest) ──► pump task ──► OnNext per observer
/// </code>
/// The media path only copies the item into a queue; observers run on a pool thread, so a slow or
/// throwing observer never delays or breaks a call. An observer that throws is unsubscribed and
/// receives <c>OnError</c>.
/// <para><b>Lifetime:</b> the item handed to <c>OnNext</c> is a lease valid only until <c>OnNext</c>
/// returns; it is then returned to its pool. Call <c>Clone()</c> on it to keep a copy you own (and dispose).</para>
/// </summary>
public sealed class Tap<T> : IObservable<T>, IDisposable where T : class, IMediaItem
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private Channel<T>? _queue; // made on the first Subscribe: a tap nobody watches costs no channel
    private readonly ILogger _logger;
    private IObserver<T>[] _observers = [];
    private Task? _pump;
    private long _dropped;
    private bool _completed;

    public Tap(string name, int capacity = 64, ILogger? logger = null)
    {
        Name = name;
        _logger = logger ?? NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    private Channel<T> CreateQueue() => Channel.CreateBounded<T>(
        new BoundedChannelOptions(_capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        item =>
        {
            Interlocked.Increment(ref _dropped);
            item.Dispose();
        });

    public string Name { get; }

    public bool HasObservers => Volatile.Read(ref _observers).Length > 0;

    /// <summary>Items observers missed because they were too slow.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Offers an item seen on the media path. The caller keeps ownership of <paramref name="item"/>;
    /// the tap copies it only when someone is listening.</summary>
    public void Publish(T item)
    {
        if (Volatile.Read(ref _observers).Length == 0) return;
        var queue = Volatile.Read(ref _queue);
        if (queue is null) return;
        var copy = (T)item.CloneItem();
        if (!queue.Writer.TryWrite(copy)) copy.Dispose();
    }

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            if (_completed)
            {
                observer.OnCompleted();
                return NoopDisposable.Instance;
            }

            if (_queue is null) Volatile.Write(ref _queue, CreateQueue());
            Volatile.Write(ref _observers, [.. _observers, observer]);
            _pump ??= Task.Run(PumpAsync);
        }

        return new Subscription(this, observer);
    }

    /// <summary>Ends the stream: observers get <c>OnCompleted</c> after the items already queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
        }

        var queue = Volatile.Read(ref _queue);
        if (queue is null) return;
        queue.Writer.TryComplete();
        if (_pump is null)
        {
            while (queue.Reader.TryRead(out var i)) i.Dispose();
        }
    }

    /// <summary>Completes the tap and waits until observers have been told.</summary>
    public async Task CompleteAsync()
    {
        Complete();
        Task? p;
        lock (_gate) p = _pump;
        if (p is not null) await p.ConfigureAwait(false);
    }

    public void Dispose() => Complete();

    private void Unsubscribe(IObserver<T> observer)
    {
        lock (_gate)
        {
            int i = Array.IndexOf(_observers, observer);
            if (i < 0) return;
            var list = new List<IObserver<T>>(_observers);
            list.RemoveAt(i);
            _observers = [.. list];
        }
    }

    private async Task PumpAsync()
    {
        await foreach (var item in _queue!.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var o in Volatile.Read(ref _observers))
            {
                try
                {
                    o.OnNext(item);
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(ex, "Observer of tap {Tap} threw; unsubscribing it", Name);
                    Unsubscribe(o);
                    try
                    {
                        o.OnError(ex);
                    }
                    catch (Exception)
                    {
                        // An observer that throws from OnError too has nothing more to be told.
                    }
                }
            }

            item.Dispose();
        }

        IObserver<T>[] last;
        lock (_gate)
        {
            last = _observers;
            _observers = [];
        }

        foreach (var o in last)
        {
            try
            {
                o.OnCompleted();
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Observer of tap {Tap} threw from OnCompleted", Name);
            }
        }
    }

    private sealed class Subscription(Tap<T> tap, IObserver<T> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) tap.Unsubscribe(observer);
        }
    }

    private sealed class NoopDisposable : IDisposable
    {
        public static readonly NoopDisposable Instance = new();

        public void Dispose()
        {
        }
    }
}
