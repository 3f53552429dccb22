using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;

namespace Pipeline.Benchmarks;

/// <summary>
/// The cost our G.729 wrapper adds to bcg729, measured without bcg729's own work: <see cref="G729Encoder"/> and
/// <see cref="G729Decoder"/> (<see cref="G729WrapperBenchmarkBase.Ours_Encode"/>/<see cref="G729WrapperBenchmarkBase.Ours_Decode"/>)
/// are built over native entry points that do nothing (unmanaged-callable no-ops with
/// bcg729's signatures), and the baseline calls the same no-ops through the same kind of function pointer, as a
/// direct caller of bcg729 would. The difference is exactly what the wrapper adds per 20 ms payload (interface call,
/// length checks, SafeHandle add-ref/release, the frame loop); divided by the real codec time
/// (<see cref="G729Benchmarks"/>) it bounds the wrapper's ratio to bcg729 without the host's drift, which on this VM
/// moves bcg729's own decode time between 9.5 and 17 µs from one minute to the next.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class G729WrapperOverheadBenchmarks : G729WrapperBenchmarkBase
{
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
        UseWrappers(new G729Encoder(library, annexB: false), new G729Decoder(library));
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int Direct_Encode_NoOpNative()
    {
        byte len0, len1;
        fixed (short* s = Pcm)
        fixed (byte* b = Payload)
        {
            _encode(1, s, b, &len0);
            _encode(1, s + 80, b + len0, &len1);
        }

        return len0 + len1;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int Direct_Decode_NoOpNative()
    {
        fixed (byte* b = Payload)
        fixed (short* s = Decoded)
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
