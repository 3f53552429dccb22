using BenchmarkDotNet.Attributes;
using Pipeline.Codecs;
using Pipeline.Codecs.G711;

namespace Pipeline.Benchmarks;

/// <summary>G.711 encode and decode of one 20 ms frame (160 samples at 8 kHz). Must allocate nothing.</summary>
[MemoryDiagnoser]
public class G711Benchmarks
{
    private const int FrameSamples = 160;
    private readonly IAudioEncoder _muEncoder = new MuLawEncoder();
    private readonly IAudioDecoder _muDecoder = new MuLawDecoder();
    private readonly IAudioEncoder _aEncoder = new ALawEncoder();
    private readonly IAudioDecoder _aDecoder = new ALawDecoder();
    private readonly short[] _pcm = new short[FrameSamples];
    private readonly short[] _decoded = new short[FrameSamples];
    private readonly byte[] _muPayload = new byte[FrameSamples];
    private readonly byte[] _aPayload = new byte[FrameSamples];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(711);
        for (int i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)(12000 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0) + rng.Next(-2000, 2000));
        }

        _muEncoder.Encode(_pcm, _muPayload);
        _aEncoder.Encode(_pcm, _aPayload);
    }

    [Benchmark]
    public int MuLawEncode() => _muEncoder.Encode(_pcm, _muPayload);

    [Benchmark]
    public int MuLawDecode() => _muDecoder.Decode(_muPayload, _decoded);

    [Benchmark]
    public int ALawEncode() => _aEncoder.Encode(_pcm, _aPayload);

    [Benchmark]
    public int ALawDecode() => _aDecoder.Decode(_aPayload, _decoded);
}
