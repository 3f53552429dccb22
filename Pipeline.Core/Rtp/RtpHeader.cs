using System.Buffers.Binary;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// A read-only, zero-copy view of one RTP packet (RFC 3550 §5.1) over the bytes it was received in.
/// <code>
///  0                   1                   2                   3
///  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
///  |                           timestamp                           |
///  |           synchronization source (SSRC) identifier            |
///  |            contributing source (CSRC) identifiers (0..15)     |
///  |  [extension: profile (16) | length in 32-bit words (16) | data]|
///  |  payload ...                    [padding ... | pad count (8)] |
/// </code>
/// <see cref="TryRead"/> validates everything and never throws: malformed input from the wire returns false.
/// The view is only valid while the underlying bytes are.
/// </summary>
public readonly ref struct RtpHeader
{
    /// <summary>Size of the fixed header (no CSRCs, no extension).</summary>
    public const int FixedSize = 12;

    /// <summary>The only RTP version there is.</summary>
    public const int Version2 = 2;

    private readonly ReadOnlySpan<byte> _packet;

    private RtpHeader(ReadOnlySpan<byte> packet, int headerLength, int payloadLength, int paddingLength, int extensionOffset, int extensionLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
        PayloadLength = payloadLength;
        PaddingLength = paddingLength;
        ExtensionOffset = extensionOffset;
        ExtensionLength = extensionLength;
    }

    /// <summary>Bytes of header: fixed part, CSRC list and extension.</summary>
    public int HeaderLength { get; }

    public int PayloadLength { get; }

    /// <summary>Padding bytes at the end of the packet, including the count octet (0 when P is clear).</summary>
    public int PaddingLength { get; }

    private int ExtensionOffset { get; }

    private int ExtensionLength { get; }

    public bool HasPadding => (_packet[0] & 0x20) != 0;

    public bool HasExtension => (_packet[0] & 0x10) != 0;

    public int CsrcCount => _packet[0] & 0x0F;

    public bool Marker => (_packet[1] & 0x80) != 0;

    public int PayloadType => _packet[1] & 0x7F;

    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[2..]);

    public RtpTimestamp Timestamp => new(BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]));

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[8..]);

    /// <summary>The 16-bit profile-defined field of the header extension (0 when there is none).</summary>
    public ushort ExtensionProfile => HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_packet[(ExtensionOffset - 4)..]) : (ushort)0;

    /// <summary>The header extension's data (a multiple of 4 bytes), without its 4-byte preamble.</summary>
    public ReadOnlySpan<byte> ExtensionData => _packet.Slice(ExtensionOffset, ExtensionLength);

    public ReadOnlySpan<byte> Payload => _packet.Slice(HeaderLength, PayloadLength);

    /// <summary>The whole packet as received.</summary>
    public ReadOnlySpan<byte> Packet => _packet;

    /// <summary>The CSRC identifier at <paramref name="index"/> (0 ≤ index &lt; <see cref="CsrcCount"/>).</summary>
    public uint GetCsrc(int index)
    {
        if ((uint)index >= (uint)CsrcCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"The packet has {CsrcCount} CSRCs.");
        return BinaryPrimitives.ReadUInt32BigEndian(_packet[(FixedSize + (4 * index))..]);
    }

    /// <summary>True when <paramref name="data"/> starts like an RTCP packet (payload type 192..223 in the second octet
    /// position, RFC 5761 §4) rather than RTP; useful on a multiplexed port.</summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> data) => data.Length >= 2 && data[1] >= 192 && data[1] <= 223;

    /// <summary>Validates <paramref name="packet"/> as one RTP packet and returns a view of it. Never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedSize) return false;
        byte b0 = packet[0];
        if ((b0 >> 6) != Version2) return false;
        int offset = FixedSize + (4 * (b0 & 0x0F));
        if (offset > packet.Length) return false;
        int extOffset = offset;
        int extLength = 0;
        if ((b0 & 0x10) != 0)
        {
            if (offset + 4 > packet.Length) return false;
            extLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) * 4;
            extOffset = offset + 4;
            offset = extOffset + extLength;
            if (offset > packet.Length) return false;
        }

        int padding = 0;
        if ((b0 & 0x20) != 0)
        {
            padding = packet[^1];
            // The count includes itself, so 0 is invalid; it can't eat into the header.
            if (padding == 0 || padding > packet.Length - offset) return false;
        }

        header = new RtpHeader(packet, offset, packet.Length - offset - padding, padding, extOffset, extLength);
        return true;
    }
}
