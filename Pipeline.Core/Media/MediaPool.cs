using System.Collections.Concurrent;

namespace Pipeline.Core.Media;

/// <summary>A thread-safe pool of reusable media objects. Steady state allocates nothing:
/// objects come back through <see cref="Return"/> when their owner finishes with them.
/// The pool keeps at most <see cref="MaxRetained"/> idle objects; the rest go to the GC.</summary>
public sealed class MediaPool<T> where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private readonly Func<MediaPool<T>, T> _factory;
    private int _count;

    public MediaPool(Func<MediaPool<T>, T> factory, int maxRetained = 4096)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRetained);
        _factory = factory;
        MaxRetained = maxRetained;
    }

    public int MaxRetained { get; }

    /// <summary>Idle objects held right now.</summary>
    public int Idle => Volatile.Read(ref _count);

    /// <summary>Objects created by this pool since it was made (a leak shows as steady growth).</summary>
    public long Created => Interlocked.Read(ref _created);

    private long _created;
    private long _rented;
    private long _returned;

    /// <summary>Rent calls since the pool was made (diagnostics: with <see cref="Returned"/> it shows items never given back).</summary>
    internal long Rented => Interlocked.Read(ref _rented);

    /// <summary>Return calls since the pool was made.</summary>
    internal long Returned => Interlocked.Read(ref _returned);

    public T Rent()
    {
        Interlocked.Increment(ref _rented);
        if (_items.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _count);
            return item;
        }

        Interlocked.Increment(ref _created);
        return _factory(this);
    }

    public void Return(T item)
    {
        Interlocked.Increment(ref _returned);
        if (Interlocked.Increment(ref _count) <= MaxRetained)
        {
            _items.Enqueue(item);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
