using System.Diagnostics;

namespace Pipeline.Core.Rtp;

/// <summary>
/// Receive-side bookkeeping for one remote source, per RFC 3550 Appendix A:
/// A.1 sequence validation (probation, 16-bit wrap counted in cycles, large jumps restart the source),
/// A.3 expected/lost counts and the per-report fraction lost, A.8 interarrival jitter.
/// <see cref="Update"/> runs on the receive loop only; <see cref="MakeReportBlock"/> on the RTCP side only.
/// Fields the other side reads are written with volatile semantics (no locks on the packet path).
/// </summary>
internal sealed class RtpReceiveState
{
    internal const int MaxDropout = 3000;
    internal const int MaxMisorder = 100;
    internal const int MinSequential = 2;
    private const int SeqMod = 1 << 16;

    // A.1 state (receive loop only).
    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private uint _badSeq;
    private int _probation;
    private bool _started;

    // A.8 state (receive loop only).
    private uint _transit;
    private bool _haveTransit;

    // Published for readers.
    private long _extendedMax;
    private long _received;
    private long _expectedBase;
    private double _jitter;

    // A.3 interval state (report side only).
    private long _expectedPrior;
    private long _receivedPrior;
    private int _lastFraction;

    public RtpReceiveState(uint ssrc) => Ssrc = ssrc;

    public uint Ssrc { get; }

    /// <summary>Valid packets counted by A.1 (probation packets and restarts excluded).</summary>
    public long Received => Volatile.Read(ref _received);

    public uint ExtendedHighestSequence => (uint)Volatile.Read(ref _extendedMax);

    /// <summary>A.3: extended_max − base_seq + 1.</summary>
    public long Expected
    {
        get
        {
            if (!IsValid) return 0;
            return Volatile.Read(ref _extendedMax) - Volatile.Read(ref _expectedBase) + 1;
        }
    }

    /// <summary>A.3 cumulative number of packets lost (negative when duplicates arrived).</summary>
    public long Lost => IsValid ? Expected - Received : 0;

    /// <summary>A.8 interarrival jitter in RTP timestamp units.</summary>
    public double Jitter => Volatile.Read(ref _jitter);

    /// <summary>Fraction lost (×256) computed at the last <see cref="MakeReportBlock"/>.</summary>
    public byte LastFractionLost => (byte)Volatile.Read(ref _lastFraction);

    /// <summary>True once the source left probation.</summary>
    public bool IsValid => Volatile.Read(ref _probation) == 0 && _started;

    /// <summary>Converts a <see cref="Stopwatch"/> timestamp to RTP units of <paramref name="clockRate"/> (wrapping).</summary>
    public static uint ToRtpUnits(long stopwatchTicks, int clockRate)
    {
        long f = Stopwatch.Frequency;
        long seconds = stopwatchTicks / f;
        long rem = stopwatchTicks % f;
        return unchecked((uint)((seconds * clockRate) + (rem * clockRate / f)));
    }

    /// <summary>A.1 update_seq plus A.8 jitter for one packet. Returns false when the packet is not (yet) valid:
    /// during probation, or a big jump that needs a second packet to confirm a restart.</summary>
    /// <param name="seq">The packet's sequence number.</param>
    /// <param name="rtpTimestamp">The packet's RTP timestamp.</param>
    /// <param name="arrivalUnits">Arrival time in the same RTP units (any origin, wrapping).</param>
    /// <param name="updateJitter">False for packets whose timestamp does not advance with time (RFC 4733 events).</param>
    public bool Update(ushort seq, uint rtpTimestamp, uint arrivalUnits, bool updateJitter = true)
    {
        if (!_started)
        {
            // A.1: a new source starts on probation, with max_seq just behind its first packet.
            InitSequence(seq);
            _maxSeq = unchecked((ushort)(seq - 1));
            Volatile.Write(ref _probation, MinSequential);
            _started = true;
        }

        bool valid = UpdateSequence(seq);
        if (valid && updateJitter) UpdateJitter(rtpTimestamp, arrivalUnits);
        return valid;
    }

    /// <summary>A.3: builds a report block for this source and starts a new fraction-lost interval.</summary>
    public RtcpReportBlock MakeReportBlock(uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        long expected = Expected;
        long received = Received;
        long lost = expected - received;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = received - _receivedPrior;
        _receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int)Math.Min(255, (lostInterval << 8) / expectedInterval);
        Volatile.Write(ref _lastFraction, fraction);
        int cumulative = (int)Math.Clamp(lost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost);
        return new RtcpReportBlock(Ssrc, (byte)fraction, cumulative, ExtendedHighestSequence, (uint)Jitter, lastSenderReport, delaySinceLastSenderReport);
    }

    private void InitSequence(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SeqMod + 1; // so seq == bad_seq is false
        _cycles = 0;
        Volatile.Write(ref _received, 0);
        _receivedPrior = 0;
        _expectedPrior = 0;
        Volatile.Write(ref _expectedBase, _baseSeq);
        Volatile.Write(ref _extendedMax, _baseSeq);
    }

    private bool UpdateSequence(ushort seq)
    {
        ushort udelta = unchecked((ushort)(seq - _maxSeq));
        if (_probation > 0)
        {
            // Source is not valid until MinSequential packets with sequential numbers have been received.
            if (seq == unchecked((ushort)(_maxSeq + 1)))
            {
                _maxSeq = seq;
                if (Volatile.Read(ref _probation) - 1 == 0)
                {
                    InitSequence(seq);
                    Volatile.Write(ref _probation, 0);
                    Publish(1);
                    return true;
                }

                Volatile.Write(ref _probation, _probation - 1);
            }
            else
            {
                Volatile.Write(ref _probation, MinSequential - 1);
                _maxSeq = seq;
            }

            return false;
        }

        if (udelta < MaxDropout)
        {
            // In order, with permissible gap.
            if (seq < _maxSeq) _cycles += SeqMod; // wrapped
            _maxSeq = seq;
        }
        else if (udelta <= SeqMod - MaxMisorder)
        {
            // The sequence number made a very large jump.
            if (seq == _badSeq)
            {
                // Two sequential packets: assume the other side restarted without telling us.
                InitSequence(seq);
                _haveTransit = false;
            }
            else
            {
                _badSeq = (uint)((seq + 1) & (SeqMod - 1));
                return false;
            }
        }

        // else: duplicate or reordered packet; counted as received.
        Publish(Volatile.Read(ref _received) + 1);
        return true;
    }

    private void Publish(long received)
    {
        Volatile.Write(ref _extendedMax, (long)_cycles + _maxSeq);
        Volatile.Write(ref _received, received);
    }

    private void UpdateJitter(uint rtpTimestamp, uint arrivalUnits)
    {
        uint transit = unchecked(arrivalUnits - rtpTimestamp);
        if (!_haveTransit)
        {
            _transit = transit;
            _haveTransit = true;
            return;
        }

        int d = unchecked((int)(transit - _transit));
        _transit = transit;
        if (d < 0) d = -d;
        double j = _jitter;
        Volatile.Write(ref _jitter, j + ((d - j) / 16.0));
    }
}
