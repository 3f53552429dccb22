using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;

namespace Pipeline.Benchmarks;

/// <summary>
/// G.729A encode and decode of one 20 ms frame (160 samples at 8 kHz, two 10-byte frames) through our wrapper
/// (<see cref="G729Encoder"/>/<see cref="G729Decoder"/>, bcg729 via NativeLibrary function pointers and a SafeHandle)
/// against bcg729 called directly through a minimal DllImport as the baseline of each category. Both sides run the
/// same native code, so this measures the wrapper's overhead. Target: at most 1.05× the baseline, and 0 B allocated.
/// Annex B is off so that every frame does the full encoding work. × real time = 20 ms / mean.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class G729Benchmarks
{
    private const int FrameSamples = 160;
    private readonly short[] _pcm = new short[FrameSamples];
    private readonly short[] _decoded = new short[FrameSamples];
    private readonly byte[] _payload = new byte[20];
    private readonly byte[] _directPayload = new byte[20];
    private G729Encoder? _encoder;
    private G729Decoder? _decoder;
    private IAudioEncoder? _encoderInterface;
    private IAudioDecoder? _decoderInterface;
    private nint _directEnc;
    private nint _directDec;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(729);
        for (int i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)((6000 * Math.Sin(2 * Math.PI * 180 * i / 8000.0)) + (3000 * Math.Sin(2 * Math.PI * 1250 * i / 8000.0)) + rng.Next(-800, 800));
        }

        _encoder = new G729Encoder(annexB: false);
        _decoder = new G729Decoder();
        _encoderInterface = _encoder;
        _decoderInterface = _decoder;
        _directEnc = DirectBcg729.initBcg729EncoderChannel(0);
        _directDec = DirectBcg729.initBcg729DecoderChannel();
        _encoder.Encode(_pcm, _payload);
        DirectEncode();

        // Same library, same state, same input: the same bytes, or the two sides are not doing the same work.
        if (!_payload.AsSpan().SequenceEqual(_directPayload))
        {
            throw new InvalidOperationException("Our G.729 wrapper and the direct bcg729 calls disagree on the benchmark frame.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
        if (_directEnc != 0) DirectBcg729.closeBcg729EncoderChannel(_directEnc);
        if (_directDec != 0) DirectBcg729.closeBcg729DecoderChannel(_directDec);
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Ours_Encode() => _encoderInterface!.Encode(_pcm, _payload);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int Bcg729_Encode() => DirectEncode();

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Ours_Decode() => _decoderInterface!.Decode(_payload, _decoded);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int Bcg729_Decode()
    {
        fixed (byte* b = _payload)
        fixed (short* s = _decoded)
        {
            DirectBcg729.bcg729Decoder(_directDec, b, 10, 0, 0, 0, s);
            DirectBcg729.bcg729Decoder(_directDec, b + 10, 10, 0, 0, 0, s + 80);
        }

        return FrameSamples;
    }

    private int DirectEncode()
    {
        byte len0, len1;
        fixed (short* s = _pcm)
        fixed (byte* b = _directPayload)
        {
            DirectBcg729.bcg729Encoder(_directEnc, s, b, &len0);
            DirectBcg729.bcg729Encoder(_directEnc, s + 80, b + len0, &len1);
        }

        return len0 + len1;
    }
}

/// <summary>The bare bcg729 1.1 entry points (Debian's libbcg729-0), blittable so no marshalling stub runs.</summary>
internal static unsafe partial class DirectBcg729
{
    private const string Lib = "libbcg729.so.0";

    [LibraryImport(Lib)]
    internal static partial nint initBcg729EncoderChannel(byte enableVad);

    [LibraryImport(Lib)]
    internal static partial void bcg729Encoder(nint ctx, short* input, byte* bitStream, byte* bitStreamLength);

    [LibraryImport(Lib)]
    internal static partial void closeBcg729EncoderChannel(nint ctx);

    [LibraryImport(Lib)]
    internal static partial nint initBcg729DecoderChannel();

    [LibraryImport(Lib)]
    internal static partial void bcg729Decoder(nint ctx, byte* bitStream, byte length, byte erasure, byte sid, byte rfc3389, short* signal);

    [LibraryImport(Lib)]
    internal static partial void closeBcg729DecoderChannel(nint ctx);
}
