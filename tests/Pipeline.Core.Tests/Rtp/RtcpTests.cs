using System.Text;
using Pipeline.Core.Rtp;

namespace Pipeline.Core.Tests.Rtp;

public class RtcpTests
{
    [Fact]
    public void Compound_sr_sdes_bye_round_trips()
    {
        var buf = new byte[512];
        var w = new RtcpWriter(buf);
        var ntp = NtpTimestamp.FromDateTime(new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc));
        var info = new RtcpSenderInfo(ntp, 123456, 50, 8000);
        var block = new RtcpReportBlock(0x11111111, 64, -3, 70000, 42, 0xAABBCCDD, 65536);
        Assert.True(w.WriteSenderReport(0x22222222, info, [block]));
        Assert.True(w.WriteSdesCname(0x22222222, "alice@example.com"u8));
        Assert.True(w.WriteBye(0x22222222, "bye now"u8));
        var compound = w.Written.ToArray();
        Assert.Equal(0, compound.Length % 4);
        Assert.True(RtcpCompoundReader.Validate(compound));

        var r = new RtcpCompoundReader(compound);
        Assert.True(r.TryReadNext(out var sr));
        Assert.Equal(RtcpPacketType.SenderReport, sr.Type);
        Assert.Equal(0x22222222u, sr.Ssrc);
        Assert.True(sr.TryGetSenderInfo(out var gotInfo));
        Assert.Equal(info, gotInfo);
        Assert.Equal(1, sr.Count);
        Assert.True(sr.TryGetReportBlock(0, out var gotBlock));
        Assert.Equal(block, gotBlock);
        Assert.False(sr.TryGetReportBlock(1, out _));

        Assert.True(r.TryReadNext(out var sdes));
        Assert.Equal(RtcpPacketType.SourceDescription, sdes.Type);
        Assert.True(sdes.TryGetCname(out uint cnameSsrc, out var cname));
        Assert.Equal(0x22222222u, cnameSsrc);
        Assert.Equal("alice@example.com", Encoding.UTF8.GetString(cname));

        Assert.True(r.TryReadNext(out var bye));
        Assert.Equal(RtcpPacketType.Goodbye, bye.Type);
        Assert.True(bye.TryGetByeSource(0, out uint byeSsrc));
        Assert.Equal(0x22222222u, byeSsrc);
        Assert.True(bye.TryGetByeReason(out var reason));
        Assert.Equal("bye now", Encoding.UTF8.GetString(reason));

        Assert.False(r.TryReadNext(out _));
        Assert.False(r.IsMalformed);
    }

    [Fact]
    public void Receiver_report_sign_extends_negative_cumulative_loss_and_clamps_to_24_bits()
    {
        var buf = new byte[128];
        var w = new RtcpWriter(buf);
        Assert.True(w.WriteReceiverReport(5, [new RtcpReportBlock(6, 0, -2, 1, 2, 0, 0), new RtcpReportBlock(7, 255, 50_000_000, 3, 4, 0, 0)]));
        var r = new RtcpCompoundReader(w.Written);
        Assert.True(r.TryReadNext(out var rr));
        Assert.True(rr.TryGetReportBlock(0, out var b0));
        Assert.Equal(-2, b0.CumulativeLost);
        Assert.True(rr.TryGetReportBlock(1, out var b1));
        Assert.Equal(RtcpReportBlock.MaxCumulativeLost, b1.CumulativeLost);
        Assert.Equal(255, b1.FractionLost);
    }

    [Fact]
    public void Sdes_item_exactly_filling_a_word_still_gets_a_null_terminator_word()
    {
        // 4 (SSRC) + 2 + 2 text = 8 bytes: needs 4 more null octets.
        var buf = new byte[64];
        var w = new RtcpWriter(buf);
        w.WriteReceiverReport(1, []);
        Assert.True(w.WriteSdesCname(1, "ab"u8));
        Assert.Equal(8 + 4 + 12, w.Length);
        Assert.True(RtcpCompoundReader.Validate(w.Written));
    }

    [Fact]
    public void Writer_refuses_a_packet_that_does_not_fit()
    {
        var buf = new byte[20];
        var w = new RtcpWriter(buf);
        Assert.False(w.WriteSenderReport(1, default, []));
        Assert.Equal(0, w.Length);
    }

    [Theory]
    [InlineData("81C90007", "RR claims one block but the datagram ends")]
    [InlineData("81CA000100000001", "first packet is an SDES, not SR/RR")]
    [InlineData("41C9000100000001", "version 1")]
    [InlineData("81C9000100000001", "RR count 1 with no block")]
    [InlineData("80C9000100000001AA", "length not a multiple of 4")]
    [InlineData("A0C9000100000001", "padding on the first packet")]
    [InlineData("80C900010000000180CB000100000001FF", "trailing garbage")]
    [InlineData("80C9000100000001A0CB00010000000000", "padding bit with a zero count on the last packet")]
    [InlineData("80C900010000000181CB0000", "BYE claims a source it does not hold")]
    [InlineData("", "empty")]
    public void Malformed_compounds_fail_validation(string hex, string why)
    {
        Assert.False(RtcpCompoundReader.Validate(Convert.FromHexString(hex)), why);
    }

    [Fact]
    public void Padded_last_packet_is_accepted()
    {
        // RR (no blocks) + BYE with 4 bytes of padding (count 4).
        var data = Convert.FromHexString("80C9000100000001A1CB00020000000100000004");
        Assert.True(RtcpCompoundReader.Validate(data));
    }

    [Fact]
    public void Reader_stops_on_a_length_past_the_end()
    {
        var r = new RtcpCompoundReader(Convert.FromHexString("80C9000100000001" + "80CB00FF00000001"));
        Assert.True(r.TryReadNext(out _));
        Assert.False(r.TryReadNext(out _));
        Assert.True(r.IsMalformed);
    }

    [Fact]
    public void Ntp_timestamp_of_the_unix_epoch_is_2208988800_seconds()
    {
        var t = NtpTimestamp.FromDateTime(DateTime.UnixEpoch);
        Assert.Equal(2208988800u, t.Seconds);
        Assert.Equal(0u, t.Fraction);
        var half = NtpTimestamp.FromDateTime(DateTime.UnixEpoch.AddMilliseconds(500));
        Assert.Equal(0x80000000u, half.Fraction);
        Assert.Equal((2208988800u << 16) | 0x8000u, half.Middle32);
        var now = new DateTime(2026, 11, 26, 14, 30, 15, 123, DateTimeKind.Utc);
        Assert.True((NtpTimestamp.FromDateTime(now).ToDateTime() - now).Duration() < TimeSpan.FromMicroseconds(1));
    }

    [Fact]
    public void Short_units_convert_both_ways()
    {
        Assert.Equal(65536u, NtpTimestamp.ToShortUnits(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), NtpTimestamp.FromShortUnits(16384));
        Assert.Equal(0u, NtpTimestamp.ToShortUnits(TimeSpan.FromSeconds(-1)));
    }
}
