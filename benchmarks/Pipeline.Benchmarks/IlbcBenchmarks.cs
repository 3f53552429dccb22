using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs.Ilbc;

namespace Pipeline.Benchmarks;

/// <summary>
/// iLBC (RFC 3951) encode and decode of one frame in each mode: 20 ms (160 samples, 38 bytes) and 30 ms
/// (240 samples, 50 bytes). × real time = frame duration / mean. Target: 0 B allocated.
/// The input is a speech-like mix (two harmonics series and noise) so that the codebook search does real work.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class IlbcBenchmarks
{
    private readonly short[] _pcm = new short[240 * 50];
    private readonly short[] _decoded = new short[240];
    private readonly byte[] _payload20 = new byte[38];
    private readonly byte[] _payload30 = new byte[50];
    private IlbcEncoder _encoder20 = null!;
    private IlbcEncoder _encoder30 = null!;
    private IlbcDecoder _decoder20 = null!;
    private IlbcDecoder _decoder30 = null!;
    private int _frame;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3951);
        for (int i = 0; i < _pcm.Length; i++)
        {
            double t = i / 8000.0;
            double pitch = 120 + (30 * Math.Sin(2 * Math.PI * 0.7 * t));
            double v = 0;
            for (int h = 1; h <= 8; h++) v += Math.Sin(2 * Math.PI * pitch * h * t) / h;
            _pcm[i] = (short)((2500 * v * (0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t)))) + rng.Next(-300, 300));
        }

        _encoder20 = new IlbcEncoder(IlbcMode.Ms20);
        _encoder30 = new IlbcEncoder(IlbcMode.Ms30);
        _decoder20 = new IlbcDecoder(IlbcMode.Ms20);
        _decoder30 = new IlbcDecoder(IlbcMode.Ms30);

        // Warm the streams past their silent first frame.
        for (int f = 0; f < 4; f++)
        {
            _encoder20.Encode(_pcm.AsSpan(f * 160, 160), _payload20);
            _decoder20.Decode(_payload20, _decoded);
            _encoder30.Encode(_pcm.AsSpan(f * 240, 240), _payload30);
            _decoder30.Decode(_payload30, _decoded);
        }
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Encode_20ms() => _encoder20.Encode(_pcm.AsSpan((_frame++ % 70) * 160, 160), _payload20);

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Encode_30ms() => _encoder30.Encode(_pcm.AsSpan((_frame++ % 45) * 240, 240), _payload30);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Decode_20ms() => _decoder20.Decode(_payload20, _decoded);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Decode_30ms() => _decoder30.Decode(_payload30, _decoded);

    [Benchmark]
    [BenchmarkCategory("Conceal")]
    public void Conceal_20ms() => _decoder20.Conceal(_decoded.AsSpan(0, 160));
}
