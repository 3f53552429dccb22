using System.Buffers.Binary;

namespace Pipeline.Core.Rtp;

/// <summary>
/// A zero-copy view of one RTCP packet inside a compound packet, produced by <see cref="RtcpCompoundReader"/>,
/// which has already checked its version and length. The accessors check the body against the type and count and
/// return false rather than throw on anything malformed.
/// </summary>
public readonly ref struct RtcpPacket
{
    internal RtcpPacket(ReadOnlySpan<byte> packet, int paddingLength)
    {
        Raw = packet;
        PaddingLength = paddingLength;
    }

    /// <summary>The packet's bytes, header included.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    internal int PaddingLength { get; }

    /// <summary>The packet type (may be a value outside <see cref="RtcpPacketType"/>'s named members).</summary>
    public RtcpPacketType Type => (RtcpPacketType)Raw[1];

    /// <summary>The 5-bit count field: report blocks (SR/RR), chunks (SDES) or sources (BYE).</summary>
    public int Count => Raw[0] & 0x1F;

    /// <summary>The SSRC of the sender (SR/RR), the first chunk (SDES) or the first source (BYE); 0 when absent.</summary>
    public uint Ssrc => Raw.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(Raw[4..]) : 0;

    private ReadOnlySpan<byte> Body => Raw[4..^PaddingLength];

    public bool TryGetSenderInfo(out RtcpSenderInfo info)
    {
        info = default;
        if (Type != RtcpPacketType.SenderReport || Body.Length < 4 + RtcpSenderInfo.Size) return false;
        var b = Body;
        info = new RtcpSenderInfo(
            new NtpTimestamp(BinaryPrimitives.ReadUInt64BigEndian(b[4..])),
            BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        return true;
    }

    /// <summary>Report block <paramref name="index"/> of an SR or RR (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public bool TryGetReportBlock(int index, out RtcpReportBlock block)
    {
        block = default;
        int start = Type switch
        {
            RtcpPacketType.SenderReport => 4 + RtcpSenderInfo.Size,
            RtcpPacketType.ReceiverReport => 4,
            _ => -1,
        };
        if (start < 0 || (uint)index >= (uint)Count) return false;
        int o = start + (index * RtcpReportBlock.Size);
        var b = Body;
        if (o + RtcpReportBlock.Size > b.Length) return false;
        var d = b.Slice(o, RtcpReportBlock.Size);
        uint lostWord = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        int cumulative = (int)(lostWord << 8) >> 8; // sign-extend 24 bits
        block = new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(d),
            (byte)(lostWord >> 24),
            cumulative,
            BinaryPrimitives.ReadUInt32BigEndian(d[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[20..]));
        return true;
    }

    /// <summary>Finds an SDES item of <paramref name="itemType"/> (1 = CNAME) in any chunk; returns the chunk's SSRC and the item text.</summary>
    public bool TryGetSdesItem(byte itemType, out uint ssrc, out ReadOnlySpan<byte> value)
    {
        ssrc = 0;
        value = default;
        if (Type != RtcpPacketType.SourceDescription) return false;
        var b = Body;
        int o = 0;
        for (int chunk = 0; chunk < Count; chunk++)
        {
            if (o + 4 > b.Length) return false;
            uint chunkSsrc = BinaryPrimitives.ReadUInt32BigEndian(b[o..]);
            o += 4;
            while (true)
            {
                if (o >= b.Length) return false;
                byte type = b[o];
                if (type == 0)
                {
                    o = (o + 4) & ~3; // the null octet(s) pad the chunk to the next 32-bit boundary
                    break;
                }

                if (o + 2 > b.Length) return false;
                int len = b[o + 1];
                if (o + 2 + len > b.Length) return false;
                if (type == itemType)
                {
                    ssrc = chunkSsrc;
                    value = b.Slice(o + 2, len);
                    return true;
                }

                o += 2 + len;
            }
        }

        return false;
    }

    /// <summary>The CNAME of the first SDES chunk that has one.</summary>
    public bool TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname) => TryGetSdesItem(RtcpWriter.SdesCname, out ssrc, out cname);

    /// <summary>Source <paramref name="index"/> of a BYE.</summary>
    public bool TryGetByeSource(int index, out uint ssrc)
    {
        ssrc = 0;
        if (Type != RtcpPacketType.Goodbye || (uint)index >= (uint)Count) return false;
        int o = index * 4;
        if (o + 4 > Body.Length) return false;
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(Body[o..]);
        return true;
    }

    /// <summary>The reason text of a BYE, if it has one.</summary>
    public bool TryGetByeReason(out ReadOnlySpan<byte> reason)
    {
        reason = default;
        if (Type != RtcpPacketType.Goodbye) return false;
        int o = Count * 4;
        var b = Body;
        if (o >= b.Length) return false;
        int len = b[o];
        if (o + 1 + len > b.Length) return false;
        reason = b.Slice(o + 1, len);
        return true;
    }
}
