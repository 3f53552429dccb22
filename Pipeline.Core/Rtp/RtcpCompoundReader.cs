using System.Buffers.Binary;

namespace Pipeline.Core.Rtp;

/// <summary>
/// Iterates the packets of an RTCP compound packet (RFC 3550 §6.1) without copying.
/// <code>
///   var r = new RtcpCompoundReader(datagram);
///   while (r.TryReadNext(out var packet)) { switch (packet.Type) … }
///   if (r.IsMalformed) drop it
/// </code>
/// Use <see cref="Validate"/> first to apply the RFC 3550 Appendix A.2 checks to the whole compound.
/// </summary>
public ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _data = compound;
        _offset = 0;
        IsMalformed = false;
    }

    /// <summary>True once the reader met a packet that is not valid RTCP (reading then stops).</summary>
    public bool IsMalformed { get; private set; }

    public bool TryReadNext(out RtcpPacket packet)
    {
        packet = default;
        if (IsMalformed || _offset >= _data.Length) return false;
        var rest = _data[_offset..];
        if (rest.Length < 4 || (rest[0] >> 6) != RtpHeader.Version2)
        {
            IsMalformed = true;
            return false;
        }

        int size = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1) * 4;
        if (size > rest.Length)
        {
            IsMalformed = true;
            return false;
        }

        int padding = 0;
        if ((rest[0] & 0x20) != 0)
        {
            // Only the last packet of a compound may be padded; the count may not eat the header.
            padding = rest[size - 1];
            if (size != rest.Length || padding == 0 || padding > size - 4)
            {
                IsMalformed = true;
                return false;
            }
        }

        packet = new RtcpPacket(rest[..size], padding);
        _offset += size;
        return true;
    }

    /// <summary>
    /// The RFC 3550 A.2 validity checks on a compound packet: version 2 everywhere, the first packet an SR or RR
    /// without padding, padding only on the last packet, and lengths that add up to the datagram exactly.
    /// Also checks that SR/RR bodies hold the report blocks their count claims. Never throws.
    /// </summary>
    public static bool Validate(ReadOnlySpan<byte> compound)
    {
        if (compound.Length < 8 || compound.Length % 4 != 0) return false;
        var t = (RtcpPacketType)compound[1];
        if (t != RtcpPacketType.SenderReport && t != RtcpPacketType.ReceiverReport) return false;
        if ((compound[0] & 0x20) != 0) return false;
        var r = new RtcpCompoundReader(compound);
        while (r.TryReadNext(out var p))
        {
            int body = p.Raw.Length - 4 - p.PaddingLength;
            switch (p.Type)
            {
                case RtcpPacketType.SenderReport when body < 4 + RtcpSenderInfo.Size + (p.Count * RtcpReportBlock.Size):
                case RtcpPacketType.ReceiverReport when body < 4 + (p.Count * RtcpReportBlock.Size):
                case RtcpPacketType.Goodbye when body < 4 * p.Count:
                    return false;
            }
        }

        return !r.IsMalformed;
    }
}
