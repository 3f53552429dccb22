using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;

namespace Pipeline.Benchmarks;

/// <summary>
/// The cost our G.729 wrapper adds to bcg729, measured without bcg729's own work: <see cref="G729Encoder"/> and
/// <see cref="G729Decoder"/> are built over native entry points that do nothing (unmanaged-callable no-ops with
/// bcg729's signatures), and the baseline calls the same no-ops through the same kind of function pointer, as a
/// direct caller of bcg729 would. The difference is exactly what the wrapper adds per 20 ms payload (interface call,
/// length checks, SafeHandle add-ref/release, the frame loop); divided by the real codec time
/// (<see cref="G729Benchmarks"/>) it bounds the wrapper's ratio to bcg729 without the host's drift, which on this VM
/// moves bcg729's own decode time between 9.5 and 17 µs from one minute to the next.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class G729WrapperOverheadBenchmarks
{
    private const int FrameSamples = 160;
    private readonly short[] _pcm = new short[FrameSamples];
    private readonly short[] _decoded = new short[FrameSamples];
    private readonly byte[] _payload = new byte[20];
    private G729Encoder? _encoder;
    private G729Decoder? _decoder;
    private IAudioEncoder? _encoderInterface;
    private IAudioDecoder? _decoderInterface;
    private delegate* unmanaged<nint, short*, byte*, byte*, void> _encode;
    private delegate* unmanaged<nint, byte*, byte, byte, byte, byte, short*, void> _decode;

    [GlobalSetup]
    public void Setup()
    {
        var library = new Bcg729Library(
            "no-op",
            &NoOpInitEncoder,
            &NoOpEncode,
            &NoOpClose,
            &NoOpInitDecoder,
            &NoOpDecode,
            &NoOpClose);
        _encode = library.Encode;
        _decode = library.Decode;
        _encoder = new G729Encoder(library, annexB: false);
        _decoder = new G729Decoder(library);
        _encoderInterface = _encoder;
        _decoderInterface = _decoder;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Ours_Encode_NoOpNative() => _encoderInterface!.Encode(_pcm, _payload);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int Direct_Encode_NoOpNative()
    {
        byte len0, len1;
        fixed (short* s = _pcm)
        fixed (byte* b = _payload)
        {
            _encode(1, s, b, &len0);
            _encode(1, s + 80, b + len0, &len1);
        }

        return len0 + len1;
    }

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Ours_Decode_NoOpNative() => _decoderInterface!.Decode(_payload, _decoded);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int Direct_Decode_NoOpNative()
    {
        fixed (byte* b = _payload)
        fixed (short* s = _decoded)
        {
            _decode(1, b, 10, 0, 0, 0, s);
            _decode(1, b + 10, 10, 0, 0, 0, s + 80);
        }

        return FrameSamples;
    }

    [UnmanagedCallersOnly]
    private static nint NoOpInitEncoder(byte enableVad) => 1;

    [UnmanagedCallersOnly]
    private static nint NoOpInitDecoder() => 1;

    [UnmanagedCallersOnly]
    private static void NoOpClose(nint context)
    {
    }

    /// <summary>Reports a 10-byte frame, as bcg729 does for speech.</summary>
    [UnmanagedCallersOnly]
    private static void NoOpEncode(nint context, short* input, byte* output, byte* length) => *length = 10;

    [UnmanagedCallersOnly]
    private static void NoOpDecode(nint context, byte* input, byte length, byte erasure, byte sid, byte rfc3389, short* output)
    {
    }
}
