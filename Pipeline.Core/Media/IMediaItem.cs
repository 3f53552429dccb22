namespace Pipeline.Core.Media;

/// <summary>An item that moves through the graph. Ownership moves with the item: whoever holds it
/// either passes it on (to an output port) or calls <see cref="IDisposable.Dispose"/>, which returns
/// its memory to the pool. After passing or disposing an item, the former owner must not touch it.</summary>
public interface IMediaItem : IDisposable
{
    /// <summary>A deep copy from the same pool, owned by the caller. Used by taps and tees.</summary>
    IMediaItem CloneItem();
}
