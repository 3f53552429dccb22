using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Support;

/// <summary>A media item that records whether it was disposed and whether it is a clone.</summary>
internal sealed class TestItem(int id, bool isClone = false) : IMediaItem
{
    private int _disposed;
    private int _clones;

    public int Id { get; } = id;

    public bool IsClone { get; } = isClone;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public int DisposeCount => Volatile.Read(ref _disposed);

    /// <summary>Copies made of this item.</summary>
    public int CloneCount => Volatile.Read(ref _clones);

    public IMediaItem CloneItem()
    {
        Interlocked.Increment(ref _clones);
        return new TestItem(Id, true);
    }

    public void Dispose() => Interlocked.Increment(ref _disposed);
}
