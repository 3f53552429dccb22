namespace Pipeline.Core.Media;

/// <summary>One codec frame (or a packet's payload of frames) with its RTP timing. Pooled.
/// A frame with <see cref="IsLost"/> set is a placeholder: the jitter buffer found nothing to play at
/// <see cref="Timestamp"/> (for <see cref="DurationUnits"/>), and the decoder should conceal. Such a placeholder has
/// no payload of its own; when the packet that follows the lost frame was already there, its
/// <see cref="Payload"/> is a copy of that next packet's payload and <see cref="PayloadType"/> its payload type
/// (<see cref="HasRecoveryPayload"/>), so a decoder with in-band FEC (Opus LBRR) can rebuild the lost frame.</summary>
public sealed class EncodedFrame : IMediaItem
{
    /// <summary>Largest payload an encoded frame holds (a full Ethernet MTU of RTP payload).</summary>
    public const int MaxPayload = 1500;

    private static readonly MediaPool<EncodedFrame> Pool = new(static _ => new EncodedFrame());

    /// <summary>The pool every frame of this type comes from (tests count rents and returns on it).</summary>
    internal static MediaPool<EncodedFrame> SharedPool => Pool;

    private readonly byte[] _buffer = new byte[MaxPayload];
    private int _rented;

    private EncodedFrame()
    {
    }

    public int Length { get; private set; }

    public int PayloadType { get; set; }

    public RtpTimestamp Timestamp { get; set; }

    /// <summary>Duration of the frame in RTP units of its stream's clock.</summary>
    public uint DurationUnits { get; set; }

    public bool Marker { get; set; }

    /// <summary>True for a lost-frame placeholder (see the type's remarks).</summary>
    public bool IsLost { get; set; }

    /// <summary>True when this is a lost-frame placeholder (<see cref="IsLost"/>) whose <see cref="Payload"/> holds a copy
    /// of the next packet's payload (the frame that starts at <see cref="Timestamp"/> + <see cref="DurationUnits"/>):
    /// the recovery data for a decoder with in-band forward error correction.</summary>
    public bool HasRecoveryPayload => IsLost && Length > 0;

    /// <summary>The payload bytes.</summary>
    public Span<byte> Payload => _buffer.AsSpan(0, Length);

    /// <summary>The whole buffer, for writers that do not know the length in advance; then call <see cref="SetLength"/>.</summary>
    public Span<byte> Buffer => _buffer;

    public static EncodedFrame Rent(int length = 0)
    {
        if ((uint)length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(length), length, $"An encoded frame holds at most {MaxPayload} bytes.");
        var f = Pool.Rent();
        f.Length = length;
        f.PayloadType = 0;
        f.Timestamp = default;
        f.DurationUnits = 0;
        f.Marker = false;
        f.IsLost = false;
        f._rented = 1;
        return f;
    }

    public void SetLength(int length)
    {
        if ((uint)length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(length), length, $"An encoded frame holds at most {MaxPayload} bytes.");
        Length = length;
    }

    public EncodedFrame Clone()
    {
        var c = Rent(Length);
        Payload.CopyTo(c.Payload);
        c.PayloadType = PayloadType;
        c.Timestamp = Timestamp;
        c.DurationUnits = DurationUnits;
        c.Marker = Marker;
        c.IsLost = IsLost;
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
}
