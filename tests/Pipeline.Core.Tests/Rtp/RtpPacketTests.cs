using Pipeline.Core.Rtp;

namespace Pipeline.Core.Tests.Rtp;

public class RtpPacketTests
{
    // V=2, P=0, X=0, CC=0 | M=1, PT=0 | seq 0x1234 | ts 0xDEADBEEF | SSRC 0x01020304 | payload AA BB
    private static readonly byte[] Minimal = Convert.FromHexString("80801234DEADBEEF01020304AABB");

    [Fact]
    public void Header_view_reads_every_fixed_field()
    {
        Assert.True(RtpHeader.TryRead(Minimal, out var h));
        Assert.True(h.Marker);
        Assert.Equal(0, h.PayloadType);
        Assert.Equal(0x1234, h.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, h.Timestamp.Value);
        Assert.Equal(0x01020304u, h.Ssrc);
        Assert.Equal(0, h.CsrcCount);
        Assert.False(h.HasExtension);
        Assert.Equal(12, h.HeaderLength);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, h.Payload.ToArray());
    }

    [Fact]
    public void Write_then_parse_round_trips_csrcs_extension_padding_and_marker()
    {
        using var p = RtpPacket.Rent();
        p.Marker = true;
        p.PayloadType = 101;
        p.SequenceNumber = 65535;
        p.Timestamp = new(4_000_000_000);
        p.Ssrc = 0xCAFEBABE;
        p.SetCsrcs([1, 2, 3]);
        p.SetExtension(0xBEDE, [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80]);
        p.SetPayload([9, 8, 7, 6, 5]);
        p.PaddingLength = 3;
        var buf = new byte[200];
        int n = p.Write(buf);
        Assert.Equal(p.Size, n);
        Assert.Equal(12 + 12 + 4 + 8 + 5 + 3, n);
        Assert.Equal(3, buf[n - 1]);

        Assert.True(RtpPacket.TryParse(buf.AsSpan(0, n), out var q));
        using (q)
        {
            Assert.True(q.Marker);
            Assert.Equal(101, q.PayloadType);
            Assert.Equal(65535, q.SequenceNumber);
            Assert.Equal(4_000_000_000u, q.Timestamp.Value);
            Assert.Equal(0xCAFEBABEu, q.Ssrc);
            Assert.Equal(new uint[] { 1, 2, 3 }, q.Csrcs.ToArray());
            Assert.True(q.HasExtension);
            Assert.Equal(0xBEDE, q.ExtensionProfile);
            Assert.Equal(new byte[] { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80 }, q.ExtensionData.ToArray());
            Assert.Equal(new byte[] { 9, 8, 7, 6, 5 }, q.Payload.ToArray());
            Assert.Equal(3, q.PaddingLength);
        }
    }

    [Fact]
    public void G711_packet_of_172_bytes_round_trips()
    {
        using var p = RtpPacket.Rent();
        p.PayloadType = 8;
        p.SequenceNumber = 7;
        p.Timestamp = new(160);
        p.Ssrc = 42;
        for (int i = 0; i < 160; i++) p.PayloadBuffer[i] = (byte)i;
        p.SetPayloadLength(160);
        var buf = new byte[172];
        Assert.Equal(172, p.Write(buf));
        Assert.True(RtpHeader.TryRead(buf, out var h));
        Assert.Equal(160, h.PayloadLength);
        Assert.Equal(8, h.PayloadType);
        Assert.Equal(159, h.Payload[159]);
    }

    [Fact]
    public void Write_into_a_too_small_buffer_returns_minus_one()
    {
        using var p = RtpPacket.Rent();
        p.SetPayload(new byte[100]);
        Assert.Equal(-1, p.Write(new byte[50]));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("80001234DEADBEEF010203", "11 bytes: shorter than the fixed header")]
    [InlineData("40001234DEADBEEF01020304", "version 1")]
    [InlineData("C0001234DEADBEEF01020304", "version 3")]
    [InlineData("82001234DEADBEEF0102030400000001", "CC=2 but only one CSRC")]
    [InlineData("90001234DEADBEEF01020304BEDE", "extension header cut short")]
    [InlineData("90001234DEADBEEF01020304BEDE000211111111", "extension length 2 words but only 1 present")]
    [InlineData("A0001234DEADBEEF01020304AABB00", "padding count 0")]
    [InlineData("A0001234DEADBEEF01020304AABB04", "padding count larger than what follows the header")]
    public void Malformed_packets_are_refused_without_throwing(string hex, string why)
    {
        var data = Convert.FromHexString(hex);
        Assert.False(RtpHeader.TryRead(data, out _), why);
        Assert.False(RtpPacket.TryParse(data, out var p), why);
        Assert.Null(p);
    }

    [Fact]
    public void Padding_that_covers_the_whole_payload_is_valid_and_leaves_an_empty_payload()
    {
        var data = Convert.FromHexString("A0001234DEADBEEF01020304000003");
        Assert.True(RtpHeader.TryRead(data, out var h));
        Assert.Equal(0, h.PayloadLength);
        Assert.Equal(3, h.PaddingLength);
    }

    [Fact]
    public void Rtcp_on_a_multiplexed_port_is_told_apart_from_rtp()
    {
        Assert.True(RtpHeader.LooksLikeRtcp(Convert.FromHexString("80C80006")));
        Assert.False(RtpHeader.LooksLikeRtcp(Minimal));
    }

    [Fact]
    public void Parse_and_write_allocate_nothing_in_steady_state()
    {
        using var p = RtpPacket.Rent();
        p.PayloadType = 0;
        p.SetPayload(new byte[160]);
        var buf = new byte[172];
        p.Write(buf);
        for (int i = 0; i < 100; i++) Cycle(); // warm up (JIT, pool)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Cycle();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);

        void Cycle()
        {
            if (!RtpPacket.TryParse(buf, out var q)) throw new InvalidOperationException("parse failed");
            q.SequenceNumber++;
            q.Write(buf);
            q.Dispose();
        }
    }
}
