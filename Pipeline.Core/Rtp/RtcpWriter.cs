using System.Buffers.Binary;

namespace Pipeline.Core.Rtp;

/// <summary>
/// Writes an RTCP compound packet (RFC 3550 §6.1) into a caller's buffer, one packet after another, without allocating.
/// A compound packet starts with an SR or RR and carries an SDES with a CNAME; a BYE, if any, comes last:
/// <code>  [SR | RR] [SDES CNAME] [BYE]  </code>
/// Each Write method returns false and writes nothing when the packet does not fit.
/// </summary>
public ref struct RtcpWriter
{
    /// <summary>SDES item type of the canonical name.</summary>
    public const byte SdesCname = 1;

    private readonly Span<byte> _buffer;

    public RtcpWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Length = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The compound packet written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[..Length];

    public bool WriteSenderReport(uint ssrc, in RtcpSenderInfo info, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        if (blocks.Length > 31) throw new ArgumentOutOfRangeException(nameof(blocks), blocks.Length, "An RTCP report carries at most 31 report blocks.");
        int size = 4 + 4 + RtcpSenderInfo.Size + (RtcpReportBlock.Size * blocks.Length);
        if (Length + size > _buffer.Length) return false;
        var p = _buffer.Slice(Length, size);
        WriteHeader(p, blocks.Length, RtcpPacketType.SenderReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(p[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(p[8..], info.NtpTimestamp.Value);
        BinaryPrimitives.WriteUInt32BigEndian(p[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(p[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(p[24..], info.OctetCount);
        WriteBlocks(p[28..], blocks);
        Length += size;
        return true;
    }

    public bool WriteReceiverReport(uint ssrc, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        if (blocks.Length > 31) throw new ArgumentOutOfRangeException(nameof(blocks), blocks.Length, "An RTCP report carries at most 31 report blocks.");
        int size = 8 + (RtcpReportBlock.Size * blocks.Length);
        if (Length + size > _buffer.Length) return false;
        var p = _buffer.Slice(Length, size);
        WriteHeader(p, blocks.Length, RtcpPacketType.ReceiverReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(p[4..], ssrc);
        WriteBlocks(p[8..], blocks);
        Length += size;
        return true;
    }

    /// <summary>Writes an SDES packet with one chunk holding the CNAME item (UTF-8, at most 255 bytes).</summary>
    public bool WriteSdesCname(uint ssrc, scoped ReadOnlySpan<byte> cname)
    {
        if (cname.Length > 255) throw new ArgumentOutOfRangeException(nameof(cname), cname.Length, "An SDES item is at most 255 bytes.");
        // header, SSRC, type, length, text, then at least one null octet, padded to 32 bits.
        int chunk = 4 + 2 + cname.Length + 1;
        chunk = (chunk + 3) & ~3;
        int size = 4 + chunk;
        if (Length + size > _buffer.Length) return false;
        var p = _buffer.Slice(Length, size);
        p.Clear();
        WriteHeader(p, 1, RtcpPacketType.SourceDescription, size);
        BinaryPrimitives.WriteUInt32BigEndian(p[4..], ssrc);
        p[8] = SdesCname;
        p[9] = (byte)cname.Length;
        cname.CopyTo(p[10..]);
        Length += size;
        return true;
    }

    /// <summary>Writes a BYE for <paramref name="ssrc"/> with an optional UTF-8 reason (at most 255 bytes).</summary>
    public bool WriteBye(uint ssrc, scoped ReadOnlySpan<byte> reason = default)
    {
        if (reason.Length > 255) throw new ArgumentOutOfRangeException(nameof(reason), reason.Length, "A BYE reason is at most 255 bytes.");
        int size = 8 + (reason.IsEmpty ? 0 : (1 + reason.Length + 3) & ~3);
        if (Length + size > _buffer.Length) return false;
        var p = _buffer.Slice(Length, size);
        p.Clear();
        WriteHeader(p, 1, RtcpPacketType.Goodbye, size);
        BinaryPrimitives.WriteUInt32BigEndian(p[4..], ssrc);
        if (!reason.IsEmpty)
        {
            p[8] = (byte)reason.Length;
            reason.CopyTo(p[9..]);
        }

        Length += size;
        return true;
    }

    private static void WriteHeader(Span<byte> p, int count, RtcpPacketType type, int size)
    {
        p[0] = (byte)((RtpHeader.Version2 << 6) | count);
        p[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], (ushort)((size / 4) - 1));
    }

    private static void WriteBlocks(Span<byte> p, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            var b = blocks[i];
            var d = p[(i * RtcpReportBlock.Size)..];
            BinaryPrimitives.WriteUInt32BigEndian(d, b.Ssrc);
            int lost = Math.Clamp(b.CumulativeLost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost);
            BinaryPrimitives.WriteUInt32BigEndian(d[4..], ((uint)b.FractionLost << 24) | ((uint)lost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(d[8..], b.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(d[12..], b.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(d[16..], b.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(d[20..], b.DelaySinceLastSenderReport);
        }
    }
}
