using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs;
using Pipeline.Codecs.G722;

namespace Pipeline.Benchmarks;

/// <summary>
/// G.722 encode and decode of one 20 ms frame (320 samples at 16 kHz, 160 bytes): ours against spandsp
/// (Debian's libspandsp2, <c>libspandsp.so.2</c>, called directly through function pointers) as the baseline
/// of each category. Target: ours at most 1.1× spandsp's time, and 0 B allocated.
/// × real time = 20 ms / mean. The Conceal category (no spandsp counterpart: its G.722 has no PLC) times a good frame
/// followed by a lost one, so every call runs the concealment's analysis.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class G722Benchmarks
{
    private const int FrameSamples = 320;
    private readonly IAudioEncoder _encoder = new G722Encoder();
    private readonly IAudioDecoder _decoder = new G722Decoder();
    private readonly short[] _pcm = new short[FrameSamples];
    private readonly short[] _decoded = new short[FrameSamples];
    private readonly byte[] _payload = new byte[FrameSamples / 2];
    private readonly byte[] _spandspPayload = new byte[FrameSamples / 2];
    private SpanDspG722? _spandsp;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(722);
        for (int i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)((9000 * Math.Sin(2 * Math.PI * 440 * i / 16000.0)) + (5000 * Math.Sin(2 * Math.PI * 3100 * i / 16000.0)) + rng.Next(-1500, 1500));
        }

        _spandsp = new SpanDspG722();
        _encoder.Encode(_pcm, _payload);
        _spandsp.Encode(_pcm, _spandspPayload);

        // Same algorithm, same bytes: a check that the two sides really do the same work.
        if (!_payload.AsSpan().SequenceEqual(_spandspPayload))
        {
            throw new InvalidOperationException("Our G.722 encoder and spandsp's disagree on the benchmark frame.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _spandsp?.Dispose();

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Ours_Encode() => _encoder.Encode(_pcm, _payload);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int Spandsp_Encode() => _spandsp!.Encode(_pcm, _spandspPayload);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Ours_Decode() => _decoder.Decode(_payload, _decoded);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int Spandsp_Decode() => _spandsp!.Decode(_payload, _decoded);

    /// <summary>One good frame then one lost 20 ms frame (G.722 Appendix IV): the lost frame pays the pitch and LPC analysis,
    /// the synthesis and the ADPCM resynchronisation; the good one the cross-fade and the higher-band offset filter.
    /// Compare with two <see cref="Ours_Decode"/> calls.</summary>
    [Benchmark]
    [BenchmarkCategory("Conceal")]
    public int Ours_Decode_then_conceal()
    {
        int n = _decoder.Decode(_payload, _decoded);
        _decoder.Conceal(_decoded);
        return n;
    }
}

/// <summary>spandsp 0.0.6's G.722 at 64 kbit/s, 16 kHz samples, one code per byte (options 0).</summary>
internal sealed unsafe class SpanDspG722 : IDisposable
{
    private const string Library = "libspandsp.so.2";
    private readonly nint _lib;
    private readonly nint _enc;
    private readonly nint _dec;
    private readonly delegate* unmanaged<nint, byte*, short*, int, int> _encode;
    private readonly delegate* unmanaged<nint, short*, byte*, int, int> _decode;
    private readonly delegate* unmanaged<nint, int> _encodeFree;
    private readonly delegate* unmanaged<nint, int> _decodeFree;

    public SpanDspG722()
    {
        if (!NativeLibrary.TryLoad(Library, out _lib))
        {
            throw new InvalidOperationException($"{Library} could not be loaded: the spandsp baseline of the G.722 benchmark needs Debian's libspandsp2 package (apt-get install libspandsp2).");
        }

        // g722_encode_state_t *g722_encode_init(g722_encode_state_t *s, int rate, int options); NULL allocates.
        var encodeInit = (delegate* unmanaged<nint, int, int, nint>)NativeLibrary.GetExport(_lib, "g722_encode_init");
        var decodeInit = (delegate* unmanaged<nint, int, int, nint>)NativeLibrary.GetExport(_lib, "g722_decode_init");
        _encode = (delegate* unmanaged<nint, byte*, short*, int, int>)NativeLibrary.GetExport(_lib, "g722_encode");
        _decode = (delegate* unmanaged<nint, short*, byte*, int, int>)NativeLibrary.GetExport(_lib, "g722_decode");
        _encodeFree = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(_lib, "g722_encode_free");
        _decodeFree = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(_lib, "g722_decode_free");
        _enc = encodeInit(0, 64000, 0);
        _dec = decodeInit(0, 64000, 0);
        if (_enc == 0 || _dec == 0) throw new InvalidOperationException("spandsp's g722_encode_init/g722_decode_init returned NULL.");
    }

    /// <summary>int g722_encode(g722_encode_state_t *s, uint8_t g722_data[], const int16_t amp[], int len): returns bytes.</summary>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        fixed (short* p = pcm)
        fixed (byte* b = payload)
        {
            return _encode(_enc, b, p, pcm.Length);
        }
    }

    /// <summary>int g722_decode(g722_decode_state_t *s, int16_t amp[], const uint8_t g722_data[], int len): returns samples.</summary>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        fixed (short* p = pcm)
        fixed (byte* b = payload)
        {
            return _decode(_dec, p, b, payload.Length);
        }
    }

    public void Dispose()
    {
        if (_enc != 0) _encodeFree(_enc);
        if (_dec != 0) _decodeFree(_dec);
    }
}
