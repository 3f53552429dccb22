using System.Buffers.Binary;
using System.Text;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

public class WavFileTests : TempDirTest
{
    [Theory]
    [InlineData(8000, 1)]
    [InlineData(44100, 2)]
    [InlineData(11025, 1)]
    public void Round_trips_samples_and_format(int rate, int channels)
    {
        var samples = new short[rate / 10 * channels];
        for (int i = 0; i < samples.Length; i++) samples[i] = (short)(i * 37 - 20000);
        var path = PathOf("a.wav");
        WavFile.WriteAll(path, new WavFormat(new SampleRate(rate), channels), samples);

        var (format, back) = WavFile.ReadAll(path);
        Assert.Equal(new SampleRate(rate), format.SampleRate);
        Assert.Equal(channels, format.Channels);
        Assert.Equal(samples, back);
        Assert.Equal(44 + samples.Length * 2, new FileInfo(path).Length);
    }

    [Fact]
    public void Writer_patches_riff_and_data_sizes_on_close()
    {
        var path = PathOf("sizes.wav");
        using (var w = new WavFileWriter(path, new WavFormat(SampleRate.Hz16000, 2)))
        {
            w.Write(new short[100]);
            w.Write(new short[60]);
            Assert.Equal(80, w.SampleCount);
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(36u + 320, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal("data", Encoding.ASCII.GetString(bytes, 36, 4));
        Assert.Equal(320u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(16000, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(64000, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28))); // byte rate
    }

    [Fact]
    public void Writer_rejects_partial_frames()
    {
        using var w = new WavFileWriter(PathOf("x.wav"), new WavFormat(SampleRate.Hz8000, 2));
        Assert.Throws<ArgumentException>(() => w.Write(new short[3]));
    }

    [Theory]
    [InlineData(3, 32, "IEEE float")]
    [InlineData(7, 8, "μ-law")]
    [InlineData(6, 8, "A-law")]
    [InlineData(1, 8, "8-bit PCM")]
    [InlineData(1, 24, "24-bit PCM")]
    [InlineData(0x11, 4, "IMA ADPCM")]
    public void Reader_rejects_other_formats_naming_them(int tag, int bits, string expected)
    {
        var path = PathOf("other.wav");
        File.WriteAllBytes(path, Build(tag, 1, 8000, bits, new byte[64]));
        var ex = Assert.Throws<NotSupportedException>(() => new WavFileReader(path));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("16-bit PCM", ex.Message);
    }

    [Fact]
    public void Reader_rejects_more_than_two_channels()
    {
        var path = PathOf("six.wav");
        File.WriteAllBytes(path, Build(1, 6, 8000, 16, new byte[48]));
        var ex = Assert.Throws<NotSupportedException>(() => WavFile.ReadAll(path));
        Assert.Contains("6 channels", ex.Message);
    }

    [Fact]
    public void Reader_rejects_a_file_that_is_not_riff()
    {
        var path = PathOf("not.wav");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("OggS and some more bytes here"));
        var ex = Assert.Throws<InvalidDataException>(() => WavFile.ReadAll(path));
        Assert.Contains("OggS", ex.Message);
    }

    [Fact]
    public void Reader_skips_unknown_chunks_and_reads_an_unpatched_data_size_to_the_end()
    {
        var data = new byte[20];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)i;
        var bytes = Build(1, 1, 8000, 16, data, extraChunk: true, dataSize: 0);
        var path = PathOf("list.wav");
        File.WriteAllBytes(path, bytes);
        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(1, format.Channels);
        Assert.Equal(10, samples.Length);
        Assert.Equal((short)(0 | (1 << 8)), samples[0]);
    }

    [Fact]
    public void Reader_accepts_extensible_pcm()
    {
        var path = PathOf("ext.wav");
        File.WriteAllBytes(path, Build(0xFFFE, 2, 48000, 16, new byte[8], extensibleSubFormat: 1));
        var (format, samples) = WavFile.ReadAll(path);
        Assert.Equal(new WavFormat(SampleRate.Hz48000, 2), format);
        Assert.Equal(4, samples.Length);
    }

    [Fact]
    public void Reader_seeks_and_reads_in_pieces()
    {
        var path = PathOf("seek.wav");
        var samples = Enumerable.Range(0, 100).Select(i => (short)i).ToArray();
        WavFile.WriteAll(path, new WavFormat(SampleRate.Hz8000, 1), samples);
        using var r = new WavFileReader(path);
        Assert.Equal(100, r.SampleCount);
        var buf = new short[30];
        Assert.Equal(30, r.Read(buf));
        r.Seek(90);
        Assert.Equal(10, r.Read(buf));
        Assert.Equal(90, buf[0]);
        Assert.Equal(0, r.Read(buf));
        r.Seek(0);
        Assert.Equal(30, r.Read(buf));
        Assert.Equal(0, buf[0]);
    }

    private static byte[] Build(int tag, int channels, int rate, int bits, byte[] data, bool extraChunk = false, uint? dataSize = null, int extensibleSubFormat = 0)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8);
        w.Write(0u);
        w.Write("WAVE"u8);
        if (extraChunk)
        {
            w.Write("LIST"u8);
            w.Write(5u); // odd size: padded to 6
            w.Write("INFOx"u8);
            w.Write((byte)0);
        }

        w.Write("fmt "u8);
        w.Write(tag == 0xFFFE ? 40u : 16u);
        w.Write((ushort)tag);
        w.Write((ushort)channels);
        w.Write(rate);
        w.Write(rate * channels * bits / 8);
        w.Write((ushort)(channels * bits / 8));
        w.Write((ushort)bits);
        if (tag == 0xFFFE)
        {
            w.Write((ushort)22);
            w.Write((ushort)bits);
            w.Write(0u);
            w.Write((ushort)extensibleSubFormat);
            w.Write(new byte[14]);
        }

        w.Write("data"u8);
        w.Write(dataSize ?? (uint)data.Length);
        w.Write(data);
        w.Flush();
        return ms.ToArray();
    }
}
