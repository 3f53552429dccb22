using System.Buffers.Binary;
using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Opus;

public sealed class OggOpusTests
{
    [Fact]
    public void Writer_output_reads_back_with_the_same_headers_packets_and_granules()
    {
        var packets = new List<byte[]>();
        var rng = new Random(7845);
        for (int i = 0; i < 180; i++)
        {
            // Sizes around and above the 255-byte lacing step, and exact multiples of 255.
            int size = i % 30 == 0 ? 510 : i % 17 == 0 ? 255 : rng.Next(1, 700);
            var p = new byte[size];
            rng.NextBytes(p);
            packets.Add(p);
        }

        var ms = new MemoryStream();
        using (var w = new OggOpusWriter(ms, channels: 2, inputSampleRate: 16000, preSkip: 312, leaveOpen: true, vendor: "test vendor", serial: 0x1234))
        {
            foreach (var p in packets) w.WritePacket(p, 960);
            Assert.Equal(180 * 960, w.GranulePosition);
            w.Finish(sampleCount48k: (180 * 960) - 312 - 100);
        }

        ms.Position = 0;
        using var r = new OggOpusReader(ms);
        Assert.Equal(2, r.Channels);
        Assert.Equal(16000, r.InputSampleRate);
        Assert.Equal(312, r.PreSkip);
        Assert.Equal(0, r.ChannelMappingFamily);
        Assert.Equal("test vendor", r.Vendor);
        Assert.Empty(r.Comments);

        int n = 0;
        long lastGranule = 0;
        int granulesSeen = 0;
        while (r.TryReadPacket(out var packet, out long granule))
        {
            Assert.Equal(packets[n], packet.ToArray());
            n++;
            if (granule >= 0)
            {
                granulesSeen++;
                Assert.True(granule > lastGranule);
                if (n < packets.Count) Assert.Equal(n * 960L, granule); // a page ends after packet n: its granule counts n packets
                lastGranule = granule;
            }
        }

        Assert.Equal(packets.Count, n);
        Assert.True(granulesSeen > 3, "the packets span several pages");
        Assert.Equal((180 * 960) - 100L, r.FinalGranulePosition); // trimmed by 100 samples: pre-skip + length
        Assert.Equal(lastGranule, r.FinalGranulePosition);
    }

    [Fact]
    public void Pages_have_valid_crcs_bos_and_eos_flags_and_sequence_numbers()
    {
        var ms = new MemoryStream();
        using (var w = new OggOpusWriter(ms, 1, 48000, 312, leaveOpen: true, serial: 77))
        {
            for (int i = 0; i < 120; i++) w.WritePacket(new byte[100], 960);
        }

        var bytes = ms.ToArray();
        var pages = SplitPages(bytes);
        Assert.True(pages.Count >= 5);
        for (int i = 0; i < pages.Count; i++)
        {
            var (offset, length) = pages[i];
            var page = bytes.AsSpan(offset, length).ToArray();
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(22));
            page[22] = page[23] = page[24] = page[25] = 0;
            Assert.Equal(stored, OggCrc.Update(0, page));
            Assert.Equal((uint)i, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(18)));
            Assert.Equal(77u, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(14)));
            byte flags = page[5];
            Assert.Equal(i == 0, (flags & 0x02) != 0);
            Assert.Equal(i == pages.Count - 1, (flags & 0x04) != 0);
        }

        // The OpusHead page and the OpusTags page have granule 0; the last page's granule is the total at 48 kHz.
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pages[0].Offset + 6)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pages[1].Offset + 6)));
        Assert.Equal(120 * 960, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pages[^1].Offset + 6)));
        Assert.True("OpusHead"u8.SequenceEqual(bytes.AsSpan(pages[0].Offset + 28, 8)));
    }

    [Fact]
    public void The_ogg_crc_is_the_unreflected_04C11DB7_one()
    {
        // CRC-32/MPEG-2 style without the final XOR and with initial value 0: "123456789" gives 0x89A1897F.
        Assert.Equal(0x89A1897Fu, OggCrc.Update(0, "123456789"u8));
    }

    [Fact]
    public void A_damaged_page_is_reported_with_its_crc()
    {
        var ms = new MemoryStream();
        using (var w = new OggOpusWriter(ms, 1, 48000, 312, leaveOpen: true))
        {
            for (int i = 0; i < 10; i++) w.WritePacket(new byte[50], 960);
        }

        var bytes = ms.ToArray();
        bytes[^10] ^= 0x40;
        using var r = new OggOpusReader(new MemoryStream(bytes));
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            while (r.TryReadPacket(out _))
            {
            }
        });
        Assert.Contains("CRC", ex.Message);
    }

    [Fact]
    public void Not_an_ogg_opus_stream_is_invalid_data()
    {
        Assert.Contains("OggS", Assert.Throws<InvalidDataException>(() => new OggOpusReader(new MemoryStream("RIFF....WAVEfmt "u8.ToArray()))).Message);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => new OggOpusReader(new MemoryStream())).Message);

        // An Ogg stream of another codec (a BOS page that is no OpusHead).
        var vorbis = Page(flags: 0x02, granule: 0, serial: 1, sequence: 0, [30], "\u0001vorbis"u8.ToArray().Concat(new byte[23]).ToArray());
        Assert.Throws<InvalidDataException>(() => new OggOpusReader(new MemoryStream(vorbis)));
    }

    [Fact]
    public void A_packet_continued_across_pages_is_joined_and_other_streams_are_skipped()
    {
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), 312);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48000);
        var tags = new byte[16];
        "OpusTags"u8.CopyTo(tags);

        var big = new byte[600];
        new Random(5).NextBytes(big);
        var s = new MemoryStream();
        s.Write(Page(0x02, 0, 9, 0, [19], head));
        s.Write(Page(0, 0, 9, 1, [16], tags));
        s.Write(Page(0x02, 0, 4242, 0, [3], [1, 2, 3])); // another logical stream, interleaved
        s.Write(Page(0, -1, 9, 2, [255, 255], big.AsSpan(0, 510).ToArray())); // the packet starts, no packet ends here
        s.Write(Page(0x01 | 0x04, 960, 9, 3, [90, 5], [.. big.AsSpan(510), 9, 9, 9, 9, 9])); // continued, then a 5-byte packet
        s.Position = 0;

        using var r = new OggOpusReader(s);
        Assert.True(r.TryReadPacket(out var p1, out long g1));
        Assert.Equal(big, p1.ToArray());
        Assert.Equal(-1, g1);
        Assert.True(r.TryReadPacket(out var p2, out long g2));
        Assert.Equal(new byte[] { 9, 9, 9, 9, 9 }, p2.ToArray());
        Assert.Equal(960, g2);
        Assert.False(r.TryReadPacket(out _));
        Assert.Equal(960, r.FinalGranulePosition);
    }

    [Theory]
    [InlineData(OpusImplementation.Managed, 16000, 1)]
    [InlineData(OpusImplementation.Auto, 48000, 2)]
    [InlineData(OpusImplementation.Auto, 8000, 1)]
    public void OggOpusFile_round_trip_keeps_length_and_lines_up_after_pre_skip(OpusImplementation impl, int rate, int channels)
    {
        var pcm = OpusTestSupport.ToneAndSpeech(rate, 1.23, channels); // not a whole number of frames: the end is trimmed
        var ms = new MemoryStream();
        var options = new OpusEncoderOptions { SampleRate = new SampleRate(rate), Channels = channels, Bitrate = 32000 * channels };
        int packets = OggOpusFile.Write(ms, pcm, options, impl);
        Assert.True(packets >= 62);

        ms.Position = 0;
        var audio = OggOpusFile.Read(ms, new SampleRate(rate), impl);
        Assert.Equal(channels, audio.Channels);
        Assert.Equal(rate, audio.InputSampleRate);
        Assert.Equal(pcm.Length, audio.Samples.Length);
        for (int c = 0; c < channels; c++)
        {
            var x = OpusTestSupport.Channel(pcm, c, channels);
            var y = OpusTestSupport.Channel(audio.Samples, c, channels);
            // libopus lines up exactly; the Concentus path below 48 kHz is 8 samples late (it decimates from 48 kHz).
            int expectedLag = OggOpusFileDecodesOnConcentus(impl) && rate < 48000 ? 8 : 0;
            var (corr, lag) = OpusTestSupport.BestCorrelation(x, y, maxLag: 20, skip: rate / 10);
            Assert.True(corr > 0.9, $"correlation {corr:F3}");
            Assert.InRange(lag, expectedLag - 2, expectedLag + 2);
        }
    }

    [Fact]
    public void Writer_rejects_bad_arguments_by_name()
    {
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => new OggOpusWriter(new MemoryStream(), 3, 48000, 312)).ParamName);
        Assert.Equal("preSkip", Assert.Throws<ArgumentOutOfRangeException>(() => new OggOpusWriter(new MemoryStream(), 1, 48000, 70000)).ParamName);
        using var w = new OggOpusWriter(new MemoryStream(), 1, 48000, 312);
        Assert.Throws<ArgumentException>(() => w.WritePacket([], 960));
        Assert.Equal("samples48k", Assert.Throws<ArgumentOutOfRangeException>(() => w.WritePacket([1], 0)).ParamName);
        w.WritePacket([1], 960);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Finish(sampleCount48k: 5000));
    }

    private static bool OggOpusFileDecodesOnConcentus(OpusImplementation impl) =>
        impl == OpusImplementation.Managed || (impl == OpusImplementation.Auto && !OpusCodec.IsNativeAvailable);

    internal static byte[] Page(byte flags, long granule, uint serial, uint sequence, byte[] lacing, byte[] body)
    {
        var page = new byte[27 + lacing.Length + body.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = (byte)lacing.Length;
        lacing.CopyTo(page, 27);
        body.CopyTo(page, 27 + lacing.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), OggCrc.Update(0, page));
        return page;
    }

    private static List<(int Offset, int Length)> SplitPages(byte[] bytes)
    {
        var pages = new List<(int, int)>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            int segs = bytes[pos + 26];
            int body = 0;
            for (int i = 0; i < segs; i++) body += bytes[pos + 27 + i];
            int len = 27 + segs + body;
            pages.Add((pos, len));
            pos += len;
        }

        return pages;
    }
}
