using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// A jitter buffer with a fixed target delay.
/// <code>
///   first packet (TS t0, at tick k) ─► playout point P = t0 − delay; every later tick P += period (in RTP units)
///   each tick: while P ≥ next due TS:  buffered frame with that TS ─► out
///                                      else ─► lost placeholder (TS, duration up to the next buffered frame) ─► out
///                                           (next frame buffered right after it: placeholder carries a copy of its payload)
///   arrival with TS &lt; next due ─► Late (or Duplicates when that TS was played); same TS buffered ─► Duplicates
///   TS jump beyond ResyncThreshold, or a marked packet after a gap with nothing buffered ─► re-anchor P (Resyncs)
///   buffer full, or frames waiting longer than MaxDelay ─► oldest dropped (Overflow), playout moves forward
///   nothing received or buffered for maxConcealment ─► idle (no output) until the next packet re-anchors
/// </code>
/// Frame duration comes from <see cref="EncodedFrame.DurationUnits"/> when set, else from the smallest positive
/// step between neighbouring timestamps (20 ms until known; reset on resync). A packet-time change without a resync
/// (e.g. 20 → 30 ms mid-stream) is not followed: rebuild or resync the buffer when the codec or ptime changes. Works with any clock period against any packet time:
/// a frame goes out on the tick where the playout point crosses its timestamp.
/// </summary>
public sealed class FixedJitterBufferNode : JitterBufferNode
{
    private const int HistorySize = 32;
    private const int MaxEmitPerTick = 16;
    private readonly int _capacity;
    private EncodedFrame[] _buffer = []; // made on the first packet: a call that receives nothing costs no buffer
    private readonly uint[] _history = new uint[HistorySize];
    private readonly uint _delayUnits;
    private readonly uint _maxDelayUnits;
    private readonly uint _resyncUnits;
    private readonly uint _defaultFrameUnits;
    private readonly uint _maxConcealUnits;
    private long _concealedUnits;
    private int _count;
    private int _historyCount;
    private int _historyNext;
    private bool _started;
    private bool _skipAdvance;
    private RtpTimestamp _playout;
    private RtpTimestamp _next;
    private uint _frameUnits;
    private bool _frameUnitsKnown;
    private RtpTimestamp _lastPlayed;
    private int _lastPayloadType;

    /// <param name="name">Node name.</param>
    /// <param name="clockRate">RTP clock rate of the stream.</param>
    /// <param name="targetDelay">Delay from a packet's nominal arrival to its playout; default 60 ms.</param>
    /// <param name="capacity">Frames the buffer holds at most; default 64.</param>
    /// <param name="maxDelay">Frames that would wait longer than this are dropped to catch up; default 500 ms.</param>
    /// <param name="resyncThreshold">A timestamp jump larger than this re-anchors playout; default 1 s.</param>
    /// <param name="maxConcealment">After this long with nothing received and nothing buffered the buffer goes idle (emits
    /// nothing) until the next packet, which starts playout afresh; default 1 s.</param>
    public FixedJitterBufferNode(string name, RtpClockRate clockRate, TimeSpan? targetDelay = null, int capacity = 64, TimeSpan? maxDelay = null, TimeSpan? resyncThreshold = null, TimeSpan? maxConcealment = null)
        : base(name, clockRate)
    {
        TargetDelay = targetDelay ?? TimeSpan.FromMilliseconds(60);
        if (TargetDelay < TimeSpan.Zero || TargetDelay > TimeSpan.FromSeconds(5)) throw new ArgumentOutOfRangeException(nameof(targetDelay), TargetDelay, "A jitter buffer delay is 0..5 s.");
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        MaxDelay = maxDelay ?? TimeSpan.FromMilliseconds(500);
        if (MaxDelay < TargetDelay) throw new ArgumentOutOfRangeException(nameof(maxDelay), MaxDelay, "The maximum delay must be at least the target delay.");
        var resync = resyncThreshold ?? TimeSpan.FromSeconds(1);
        if (resync <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(resyncThreshold), resync, "The resync threshold must be positive.");
        var idle = maxConcealment ?? TimeSpan.FromSeconds(1);
        if (idle <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxConcealment), idle, "The maximum concealment must be positive.");
        _maxConcealUnits = clockRate.UnitsIn(idle);
        _capacity = capacity;
        _delayUnits = clockRate.UnitsIn(TargetDelay);
        _maxDelayUnits = clockRate.UnitsIn(MaxDelay);
        _resyncUnits = clockRate.UnitsIn(resync);
        _defaultFrameUnits = Math.Max(1u, clockRate.UnitsIn(TimeSpan.FromMilliseconds(20)));
        _frameUnits = _defaultFrameUnits;
    }

    public TimeSpan TargetDelay { get; }

    /// <summary>True while playing out (from the first packet until the buffer goes idle after a long gap).</summary>
    public bool IsPlaying => _started;

    public TimeSpan MaxDelay { get; }

    public int Capacity => _capacity;

    /// <summary>The frame duration in use, in RTP units (derived from arrivals; 20 ms until known).</summary>
    public uint FrameUnits => _frameUnits;

    protected override int BufferedCount => Volatile.Read(ref _count);

    protected override void Insert(EncodedFrame frame)
    {
        if (frame.IsLost)
        {
            frame.Dispose();
            return;
        }

        var ts = frame.Timestamp;
        _lastPayloadType = frame.PayloadType;
        if (frame.DurationUnits > 0)
        {
            _frameUnits = frame.DurationUnits;
            _frameUnitsKnown = true;
        }
        if (!_started)
        {
            Anchor(frame);
            return;
        }

        int ahead = ts - _next;
        if (ahead < 0)
        {
            if (-ahead > _resyncUnits)
            {
                Resync(frame);
                return;
            }

            if (WasPlayed(ts)) CountDuplicate();
            else CountLate();
            frame.Dispose();
            return;
        }

        if (ahead > _resyncUnits || (frame.Marker && _count == 0 && ahead > 0))
        {
            Resync(frame);
            return;
        }

        int i = _count - 1;
        while (i >= 0 && _buffer[i].Timestamp > ts) i--;
        if (i >= 0 && _buffer[i].Timestamp == ts)
        {
            CountDuplicate();
            frame.Dispose();
            return;
        }

        // Neighbouring timestamps tell the frame duration (robust to loss and reordering: the smallest step wins).
        LearnFrameUnits(i >= 0 ? ts - _buffer[i].Timestamp : ts - _lastPlayed);
        if (i + 1 < _count) LearnFrameUnits(_buffer[i + 1].Timestamp - ts);

        if (_count == _buffer.Length)
        {
            // Full: the oldest frame goes, playout skips ahead to keep the delay bounded.
            CountOverflow();
            DropOldest();
            i--;
            if (i < -1) i = -1;
        }

        Array.Copy(_buffer, i + 1, _buffer, i + 2, _count - i - 1);
        _buffer[i + 1] = frame;
        Volatile.Write(ref _count, _count + 1);
    }

    protected override void PlayOut(in MediaTick tick)
    {
        if (!_started) return;
        if (_skipAdvance) _skipAdvance = false;
        else _playout += ClockRate.UnitsIn(tick.Period);

        // Frames that would wait longer than MaxDelay: drop the oldest until back under it.
        while (_count > 0 && (_buffer[_count - 1].Timestamp - _playout) > (int)_maxDelayUnits)
        {
            CountOverflow();
            DropOldest();
        }

        for (int n = 0; n < MaxEmitPerTick && _started && _playout >= _next; n++)
        {
            EmitNext();
        }
    }

    protected override void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            _buffer[i].Dispose();
            _buffer[i] = null!;
        }

        Volatile.Write(ref _count, 0);
    }

    private void EmitNext()
    {
        // Frames whose timestamp fell inside the previous frame (odd durations) are stale.
        while (_count > 0 && _buffer[0].Timestamp < _next)
        {
            CountLate();
            RemoveFirst().Dispose();
        }

        if (_count > 0 && _buffer[0].Timestamp == _next)
        {
            var f = RemoveFirst();
            uint dur = f.DurationUnits;
            if (dur == 0)
            {
                dur = _frameUnits;
                int step = _count > 0 ? _buffer[0].Timestamp - f.Timestamp : 0;
                if (step > 0 && (uint)step < dur)
                {
                    // The next frame starts earlier than the duration we assumed: that step is the duration.
                    LearnFrameUnits(step);
                    dur = (uint)step;
                }
            }

            f.DurationUnits = dur;
            _concealedUnits = 0;
            Remember(f.Timestamp);
            _lastPlayed = f.Timestamp;
            _next += dur;
            Play(f);
            return;
        }

        uint gapDur = _frameUnits;
        EncodedFrame? next = null;
        if (_count > 0)
        {
            int gap = _buffer[0].Timestamp - _next;
            if (gap > 0 && (uint)gap < gapDur) gapDur = (uint)gap;

            // The packet right after the lost frame is here: the placeholder carries its payload (in-band FEC).
            if (gap > 0 && (uint)gap == _frameUnits) next = _buffer[0];
        }

        if (_count == 0 && _concealedUnits >= _maxConcealUnits)
        {
            // Nothing for a long time (hold, end of stream, long DTX): stop emitting; the next packet starts afresh.
            _started = false;
            return;
        }

        var ts = _next;
        _next += gapDur;
        _concealedUnits += gapDur;
        Conceal(ts, gapDur, _lastPayloadType, next);
    }

    private void Anchor(EncodedFrame frame)
    {
        if (_buffer.Length == 0) _buffer = new EncodedFrame[_capacity];
        _started = true;
        _concealedUnits = 0;
        _next = frame.Timestamp;
        _lastPlayed = frame.Timestamp;
        _playout = frame.Timestamp - _delayUnits;
        _skipAdvance = true;
        _buffer[0] = frame;
        Volatile.Write(ref _count, 1);
    }

    private void Resync(EncodedFrame frame)
    {
        CountResync();
        Clear();
        _historyCount = 0;
        _frameUnitsKnown = false;
        _frameUnits = frame.DurationUnits > 0 ? frame.DurationUnits : _defaultFrameUnits;
        Anchor(frame);
    }

    private void DropOldest()
    {
        var f = RemoveFirst();
        uint dur = f.DurationUnits > 0 ? f.DurationUnits : _frameUnits;
        var nextTs = _count > 0 ? _buffer[0].Timestamp : f.Timestamp + dur;
        int shift = nextTs - _next;
        if (shift > 0)
        {
            _next = nextTs;
            _playout += (uint)shift;
        }

        f.Dispose();
    }

    private EncodedFrame RemoveFirst()
    {
        var f = _buffer[0];
        Array.Copy(_buffer, 1, _buffer, 0, _count - 1);
        _buffer[_count - 1] = null!;
        Volatile.Write(ref _count, _count - 1);
        return f;
    }

    /// <summary>The smallest plausible (2.5–120 ms) positive step between neighbouring timestamps is the frame duration.</summary>
    private void LearnFrameUnits(int step)
    {
        if (step <= 0 || (uint)step > ClockRate.UnitsIn(TimeSpan.FromMilliseconds(120)) || (uint)step * 400 < (uint)ClockRate.Hertz) return;
        if (!_frameUnitsKnown || (uint)step < _frameUnits) _frameUnits = (uint)step;
        _frameUnitsKnown = true;
    }

    private void Remember(RtpTimestamp ts)
    {
        _history[_historyNext] = ts.Value;
        _historyNext = (_historyNext + 1) % HistorySize;
        if (_historyCount < HistorySize) _historyCount++;
    }

    private bool WasPlayed(RtpTimestamp ts)
    {
        for (int i = 0; i < _historyCount; i++)
        {
            if (_history[i] == ts.Value) return true;
        }

        return false;
    }
}
