using System.Buffers.Binary;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// A telephone event received as RTP (RFC 4733 §2.3): a DTMF digit starting or ending. The receiver emits one
/// item when an event starts and one when it ends (the repeated packets in between and the retransmitted end
/// packets are folded away). Pooled like every <see cref="IMediaItem"/>.
/// <code>
///   payload:  event (8) | E (1) R (1) volume (6) | duration (16)
/// </code>
/// </summary>
public sealed class DtmfEvent : IMediaItem
{
    /// <summary>Size of an RFC 4733 event payload.</summary>
    public const int PayloadSize = 4;

    private static readonly MediaPool<DtmfEvent> Pool = new(static _ => new DtmfEvent());
    private int _rented;

    private DtmfEvent()
    {
    }

    /// <summary>Event code: 0–9 digits, 10 = '*', 11 = '#', 12–15 = A–D, 16 = flash.</summary>
    public int Event { get; set; }

    /// <summary>True for the end of the event; false when it starts.</summary>
    public bool IsEnd { get; set; }

    /// <summary>Power level in −dBm0 (0..63).</summary>
    public int Volume { get; set; }

    /// <summary>Duration so far (the whole duration when <see cref="IsEnd"/>), in RTP timestamp units.</summary>
    public ushort DurationUnits { get; set; }

    /// <summary>The event's RTP timestamp: when it started.</summary>
    public RtpTimestamp Timestamp { get; set; }

    /// <summary>The event as a DTMF character ('0'–'9', '*', '#', 'A'–'D'), or '\0' for other events.</summary>
    public char Digit => Event switch
    {
        >= 0 and <= 9 => (char)('0' + Event),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + Event - 12),
        _ => '\0',
    };

    public static DtmfEvent Rent()
    {
        var e = Pool.Rent();
        e.Event = 0;
        e.IsEnd = false;
        e.Volume = 0;
        e.DurationUnits = 0;
        e.Timestamp = default;
        e._rented = 1;
        return e;
    }

    /// <summary>Reads the event fields of an RFC 4733 payload. False when the payload is too short.</summary>
    public static bool TryReadPayload(ReadOnlySpan<byte> payload, out int eventCode, out bool end, out int volume, out ushort duration)
    {
        eventCode = 0;
        end = false;
        volume = 0;
        duration = 0;
        if (payload.Length < PayloadSize) return false;
        eventCode = payload[0];
        end = (payload[1] & 0x80) != 0;
        volume = payload[1] & 0x3F;
        duration = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        return true;
    }

    /// <summary>Writes an RFC 4733 payload (4 bytes) into <paramref name="destination"/>.</summary>
    public static void WritePayload(Span<byte> destination, int eventCode, bool end, int volume, ushort duration)
    {
        if ((uint)eventCode > 255) throw new ArgumentOutOfRangeException(nameof(eventCode), eventCode, "A telephone-event code is 0..255.");
        if ((uint)volume > 63) throw new ArgumentOutOfRangeException(nameof(volume), volume, "A telephone-event volume is 0..63 (-dBm0).");
        destination[0] = (byte)eventCode;
        destination[1] = (byte)((end ? 0x80 : 0) | volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], duration);
    }

    public DtmfEvent Clone()
    {
        var c = Rent();
        c.Event = Event;
        c.IsEnd = IsEnd;
        c.Volume = Volume;
        c.DurationUnits = DurationUnits;
        c.Timestamp = Timestamp;
        return c;
    }

    IMediaItem IMediaItem.CloneItem() => Clone();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            Pool.Return(this);
        }
    }

    public override string ToString() => $"DTMF {(Digit == '\0' ? Event.ToString(System.Globalization.CultureInfo.InvariantCulture) : Digit.ToString())} {(IsEnd ? "end" : "start")} @{Timestamp}";
}
