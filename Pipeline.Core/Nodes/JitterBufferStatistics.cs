namespace Pipeline.Core.Nodes;

/// <summary>A snapshot of a jitter buffer's counters.</summary>
/// <param name="Played">Frames played out as received.</param>
/// <param name="Concealed">Lost-frame placeholders emitted because the frame due was missing.</param>
/// <param name="Late">Packets that arrived after their playout time had passed, discarded.</param>
/// <param name="Duplicates">Packets already buffered or already played, discarded.</param>
/// <param name="Overflow">Packets discarded because the buffer was full or held more than its maximum delay.</param>
/// <param name="Resyncs">Times the playout point was re-anchored (a timestamp jump: new talkspurt or new source).</param>
/// <param name="Buffered">Frames waiting right now.</param>
public readonly record struct JitterBufferStatistics(long Played, long Concealed, long Late, long Duplicates, long Overflow, long Resyncs, int Buffered)
{
    /// <summary>Of <see cref="Concealed"/>, the placeholders that carried the next packet's payload
    /// (<see cref="Media.EncodedFrame.HasRecoveryPayload"/>) for a decoder with in-band FEC.</summary>
    public long WithRecoveryPayload { get; init; }
}
