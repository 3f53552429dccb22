using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// One RTP packet (RFC 3550 §5.1) as a mutable, pooled object: parse one from the wire with
/// <see cref="TryParse(ReadOnlySpan{byte}, out RtpPacket?)"/> or build one with <see cref="Rent"/>, then
/// <see cref="Write"/> it into a send buffer. Like every <see cref="IMediaItem"/> it has one owner, who passes
/// it on or disposes it. Parsing and writing allocate nothing. For a zero-copy look at received bytes
/// use <see cref="RtpHeader"/> instead.
/// </summary>
public sealed class RtpPacket : IMediaItem
{
    /// <summary>Largest payload a packet holds.</summary>
    public const int MaxPayload = EncodedFrame.MaxPayload;

    /// <summary>Largest header-extension data a packet holds (bytes, a multiple of 4).</summary>
    public const int MaxExtension = 1024;

    /// <summary>At most 15 contributing sources (the CC field has 4 bits).</summary>
    public const int MaxCsrcs = 15;

    private static readonly MediaPool<RtpPacket> Pool = new(static _ => new RtpPacket());
    private readonly byte[] _payload = new byte[MaxPayload];
    private readonly byte[] _extension = new byte[MaxExtension];
    private readonly uint[] _csrcs = new uint[MaxCsrcs];
    private int _rented;
    private int _paddingLength;

    private RtpPacket()
    {
    }

    public bool Marker { get; set; }

    /// <summary>Payload type, 0..127.</summary>
    public int PayloadType
    {
        get;
        set
        {
            if ((uint)value > 127) throw new ArgumentOutOfRangeException(nameof(value), value, "An RTP payload type is 0..127.");
            field = value;
        }
    }

    public ushort SequenceNumber { get; set; }

    public RtpTimestamp Timestamp { get; set; }

    public uint Ssrc { get; set; }

    public int CsrcCount { get; private set; }

    /// <summary>The contributing sources.</summary>
    public Span<uint> Csrcs => _csrcs.AsSpan(0, CsrcCount);

    public bool HasExtension { get; private set; }

    public ushort ExtensionProfile { get; private set; }

    /// <summary>Header-extension data (a multiple of 4 bytes) without the profile/length preamble.</summary>
    public Span<byte> ExtensionData => _extension.AsSpan(0, ExtensionLength);

    private int ExtensionLength { get; set; }

    public int PayloadLength { get; private set; }

    public Span<byte> Payload => _payload.AsSpan(0, PayloadLength);

    /// <summary>The whole payload buffer, for encoders that write in place; then call <see cref="SetPayloadLength"/>.</summary>
    public Span<byte> PayloadBuffer => _payload;

    /// <summary>Padding bytes (count octet included) the packet had on the wire, or that <see cref="Write"/> appends. 0..255.</summary>
    public int PaddingLength
    {
        get => _paddingLength;
        set
        {
            if ((uint)value > 255) throw new ArgumentOutOfRangeException(nameof(value), value, "RTP padding is 0..255 bytes.");
            _paddingLength = value;
        }
    }

    /// <summary>Bytes <see cref="Write"/> produces.</summary>
    public int Size => RtpHeader.FixedSize + (4 * CsrcCount) + (HasExtension ? 4 + ExtensionLength : 0) + PayloadLength + _paddingLength;

    /// <summary>A blank packet (PT 0, no payload) from the pool.</summary>
    public static RtpPacket Rent()
    {
        var p = Pool.Rent();
        p.Reset();
        p._rented = 1;
        return p;
    }

    /// <summary>Parses <paramref name="data"/> into a packet from the pool. Malformed input returns false (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out RtpPacket? packet)
    {
        packet = Rent();
        if (packet.TryLoad(data)) return true;
        packet.Dispose();
        packet = null;
        return false;
    }

    /// <summary>Overwrites this packet with the one in <paramref name="data"/>. Returns false (and leaves the packet
    /// blank) when <paramref name="data"/> is not a valid RTP packet or exceeds this packet's capacity.</summary>
    public bool TryLoad(ReadOnlySpan<byte> data)
    {
        Reset();
        if (!RtpHeader.TryRead(data, out var h)) return false;
        if (h.PayloadLength > MaxPayload || h.ExtensionData.Length > MaxExtension) return false;
        Marker = h.Marker;
        PayloadType = h.PayloadType;
        SequenceNumber = h.SequenceNumber;
        Timestamp = h.Timestamp;
        Ssrc = h.Ssrc;
        CsrcCount = h.CsrcCount;
        for (int i = 0; i < CsrcCount; i++) _csrcs[i] = h.GetCsrc(i);
        if (h.HasExtension)
        {
            HasExtension = true;
            ExtensionProfile = h.ExtensionProfile;
            ExtensionLength = h.ExtensionData.Length;
            h.ExtensionData.CopyTo(_extension);
        }

        PayloadLength = h.PayloadLength;
        h.Payload.CopyTo(_payload);
        _paddingLength = h.PaddingLength;
        return true;
    }

    public void SetPayload(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"An RTP packet holds at most {MaxPayload} payload bytes.");
        payload.CopyTo(_payload);
        PayloadLength = payload.Length;
    }

    public void SetPayloadLength(int length)
    {
        if ((uint)length > MaxPayload) throw new ArgumentOutOfRangeException(nameof(length), length, $"An RTP packet holds at most {MaxPayload} payload bytes.");
        PayloadLength = length;
    }

    public void SetCsrcs(ReadOnlySpan<uint> csrcs)
    {
        if (csrcs.Length > MaxCsrcs) throw new ArgumentOutOfRangeException(nameof(csrcs), csrcs.Length, "An RTP packet lists at most 15 CSRCs.");
        csrcs.CopyTo(_csrcs);
        CsrcCount = csrcs.Length;
    }

    /// <summary>Sets the header extension (RFC 3550 §5.3.1). <paramref name="data"/> must be a multiple of 4 bytes.</summary>
    public void SetExtension(ushort profile, ReadOnlySpan<byte> data)
    {
        if (data.Length % 4 != 0 || data.Length > MaxExtension)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"RTP header-extension data is a multiple of 4 bytes, at most {MaxExtension}.");
        }

        HasExtension = true;
        ExtensionProfile = profile;
        ExtensionLength = data.Length;
        data.CopyTo(_extension);
    }

    public void ClearExtension()
    {
        HasExtension = false;
        ExtensionProfile = 0;
        ExtensionLength = 0;
    }

    /// <summary>Writes the packet into <paramref name="destination"/>; returns the bytes written, or -1 when it does not fit.
    /// Padding bytes are zero with the count in the last octet.</summary>
    public int Write(Span<byte> destination)
    {
        int size = Size;
        if (destination.Length < size) return -1;
        destination[0] = (byte)((RtpHeader.Version2 << 6) | (_paddingLength > 0 ? 0x20 : 0) | (HasExtension ? 0x10 : 0) | CsrcCount);
        destination[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        int o = RtpHeader.FixedSize;
        for (int i = 0; i < CsrcCount; i++, o += 4) BinaryPrimitives.WriteUInt32BigEndian(destination[o..], _csrcs[i]);
        if (HasExtension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[o..], ExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(o + 2)..], (ushort)(ExtensionLength / 4));
            o += 4;
            _extension.AsSpan(0, ExtensionLength).CopyTo(destination[o..]);
            o += ExtensionLength;
        }

        _payload.AsSpan(0, PayloadLength).CopyTo(destination[o..]);
        o += PayloadLength;
        if (_paddingLength > 0)
        {
            destination.Slice(o, _paddingLength - 1).Clear();
            o += _paddingLength;
            destination[o - 1] = (byte)_paddingLength;
        }

        return o;
    }

    public RtpPacket Clone()
    {
        var c = Rent();
        c.Marker = Marker;
        c.PayloadType = PayloadType;
        c.SequenceNumber = SequenceNumber;
        c.Timestamp = Timestamp;
        c.Ssrc = Ssrc;
        c.SetCsrcs(Csrcs);
        if (HasExtension) c.SetExtension(ExtensionProfile, ExtensionData);
        c.SetPayload(Payload);
        c._paddingLength = _paddingLength;
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

    private void Reset()
    {
        Marker = false;
        PayloadType = 0;
        SequenceNumber = 0;
        Timestamp = default;
        Ssrc = 0;
        CsrcCount = 0;
        ClearExtension();
        PayloadLength = 0;
        _paddingLength = 0;
    }
}
