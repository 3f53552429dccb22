using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// The playout-clock boundary of a receive path: packets are pushed in as they arrive, frames are pulled out on the
/// clock's tick, in timestamp order, with a lost-frame placeholder (<see cref="EncodedFrame.IsLost"/>) where the
/// frame due is missing, so the decoder conceals. When the packet right after the missing frame is already buffered,
/// the placeholder carries a copy of its payload (<see cref="EncodedFrame.HasRecoveryPayload"/>), so a decoder with
/// in-band FEC (Opus) can rebuild the lost frame instead; that packet still plays at its own time.
/// <code>
///   in (EncodedFrame, arrival order) ─► [tick: Insert each arrival ─► PlayOut] ─► out (EncodedFrame, playout order)
/// </code>
/// This base class owns the ports, the tick plumbing and the counters; a subclass decides the policy
/// (<see cref="FixedJitterBufferNode"/>: fixed target delay; an adaptive NetEq-like buffer can replace it behind
/// this same type). Everything runs on the clock thread, so a subclass needs no locking.
/// </summary>
public abstract class JitterBufferNode : Node, IClockDriven
{
    private long _played;
    private long _concealed;
    private long _late;
    private long _duplicates;
    private long _overflow;
    private long _resyncs;
    private long _withRecovery;

    protected JitterBufferNode(string name, RtpClockRate clockRate, int inputCapacity = 64)
        : base(name)
    {
        ClockRate = clockRate;
        Input = AddInput<EncodedFrame>("in", inputCapacity);
        Output = AddOutput<EncodedFrame>("out");
    }

    /// <summary>Received frames, in arrival order.</summary>
    public InputPort<EncodedFrame> Input { get; }

    /// <summary>Frames in playout order, lost-frame placeholders included.</summary>
    public OutputPort<EncodedFrame> Output { get; }

    /// <summary>The RTP clock rate of the stream (timestamps are in its units).</summary>
    public RtpClockRate ClockRate { get; }

    public JitterBufferStatistics Statistics => new(
        Interlocked.Read(ref _played),
        Interlocked.Read(ref _concealed),
        Interlocked.Read(ref _late),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _overflow),
        Interlocked.Read(ref _resyncs),
        BufferedCount)
    {
        WithRecoveryPayload = Interlocked.Read(ref _withRecovery),
    };

    /// <summary>Frames held right now (read from other threads: an estimate).</summary>
    protected abstract int BufferedCount { get; }

    void IClockDriven.OnTick(in MediaTick tick)
    {
        var reader = Input.Reader;
        while (reader.TryRead(out var frame))
        {
            Insert(frame);
        }

        PlayOut(tick);
    }

    /// <summary>Takes ownership of one arrived frame: buffer it or dispose it (counting why).</summary>
    protected abstract void Insert(EncodedFrame frame);

    /// <summary>Advances playout by one tick and emits (<see cref="Play"/>, <see cref="Conceal"/>) the frames now due.</summary>
    protected abstract void PlayOut(in MediaTick tick);

    /// <summary>Returns every buffered frame to its pool.</summary>
    protected abstract void Clear();

    protected internal override ValueTask OnStoppedAsync()
    {
        Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>Emits a received frame.</summary>
    protected void Play(EncodedFrame frame)
    {
        Interlocked.Increment(ref _played);
        Output.Emit(frame);
    }

    /// <summary>Emits a lost-frame placeholder for <paramref name="timestamp"/>.</summary>
    protected void Conceal(RtpTimestamp timestamp, uint durationUnits, int payloadType) => Conceal(timestamp, durationUnits, payloadType, null);

    /// <summary>Emits a lost-frame placeholder for <paramref name="timestamp"/>. When <paramref name="next"/> (still owned by
    /// the caller) is the buffered packet that starts right after the lost frame, the placeholder carries a copy of its
    /// payload and payload type (<see cref="EncodedFrame.HasRecoveryPayload"/>).</summary>
    protected void Conceal(RtpTimestamp timestamp, uint durationUnits, int payloadType, EncodedFrame? next)
    {
        EncodedFrame f;
        if (next is { IsLost: false, Length: > 0 })
        {
            f = EncodedFrame.Rent(next.Length);
            next.Payload.CopyTo(f.Payload);
            payloadType = next.PayloadType;
            Interlocked.Increment(ref _withRecovery);
        }
        else
        {
            f = EncodedFrame.Rent(0);
        }

        f.IsLost = true;
        f.Timestamp = timestamp;
        f.DurationUnits = durationUnits;
        f.PayloadType = payloadType;
        Interlocked.Increment(ref _concealed);
        Output.Emit(f);
    }

    protected void CountLate() => Interlocked.Increment(ref _late);

    protected void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    protected void CountOverflow() => Interlocked.Increment(ref _overflow);

    protected void CountResync() => Interlocked.Increment(ref _resyncs);
}
