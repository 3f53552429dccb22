using Pipeline.Codecs.Ilbc;

namespace Pipeline.Codecs.Tests.Ilbc;

public sealed class IlbcDspTests
{
    [Theory]
    [InlineData(147, 40)]
    [InlineData(85, 23)]
    [InlineData(85, 22)]
    public void Building_the_whole_codebook_at_once_equals_building_each_vector(int lMem, int veclen)
    {
        var rng = new Random(lMem * veclen);
        var mem = new short[lMem + 8];
        for (int i = 4; i < lMem + 4; i++) mem[i] = (short)rng.Next(-8000, 8000);
        var all = new short[256 * 40];
        int size = IlbcDsp.BuildCodebook(all, mem.ToArray(), 4, lMem, veclen, new short[lMem + 4]);
        Assert.Equal(IlbcDsp.CodebookSize(lMem, veclen), size);
        var one = new short[40];
        for (int index = 0; index < size; index++)
        {
            IlbcDsp.GetCodebook(one, mem.ToArray(), 4, index, lMem, veclen);
            Assert.True(one.AsSpan(0, veclen).SequenceEqual(all.AsSpan(index * 40, veclen)), $"vector {index} differs");
        }
    }

    [Fact]
    public void Packing_and_unpacking_are_inverse_in_both_modes()
    {
        foreach (var mode in new[] { IlbcMode.Ms20, IlbcMode.Ms30 })
        {
            var rng = new Random((int)mode);
            var bytes = new byte[IlbcFile.FrameLength(mode)];
            var p = new int[IlbcBitstream.Count];
            var again = new byte[bytes.Length];
            for (int k = 0; k < 100; k++)
            {
                rng.NextBytes(bytes);
                IlbcBitstream.Unpack(bytes, mode, p);
                IlbcBitstream.Pack(p, mode, again);
                Assert.Equal(bytes, again);
            }
        }
    }

    [Fact]
    public void The_restricted_first_block_indices_map_to_and_from_the_wire()
    {
        for (int sent = 0; sent < 128; sent++) Assert.Equal(sent, IlbcBitstream.IndexToWire(IlbcBitstream.IndexFromWire(sent)));
        Assert.Equal(-1, IlbcBitstream.IndexToWire(50));
        Assert.Equal(-1, IlbcBitstream.IndexToWire(200));
    }
}
