namespace Pipeline.Core.Graph;

/// <summary>What an input port does when its producer is faster than its consumer.</summary>
public enum EdgePolicy
{
    /// <summary>Real-time edge: bounded, the oldest item is dropped (and returned to its pool) when full.
    /// Stale audio is worth nothing, and a stalled consumer must never stall the network thread.</summary>
    DropOldest,

    /// <summary>Lossless edge for recorders and file writers: nothing is dropped; memory grows while the consumer is behind.</summary>
    Lossless,
}
