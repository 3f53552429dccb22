using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;

namespace Pipeline.Benchmarks;

/// <summary>
/// G.729A encode and decode of one 20 ms frame (160 samples at 8 kHz, two 10-byte frames) through our wrapper
/// (<see cref="G729Encoder"/>/<see cref="G729Decoder"/>, bcg729 via NativeLibrary function pointers and a SafeHandle)
/// against bcg729 called directly through a minimal LibraryImport as the baseline of each category. Both sides run the
/// same native code on the same native context (the baseline calls bcg729 with our wrapper's context pointer) and the
/// same buffers, in one process (<see cref="G729BenchmarkConfig"/>), so the ratio is the wrapper's overhead and not the
/// launch-to-launch spread of heap layout and machine noise that separate processes add on this VM (±15 % seen).
/// Target: at most 1.05× the baseline, and 0 B allocated. Annex B is off so that every frame does the full encoding
/// work. × real time = 20 ms / mean.
/// </summary>
[Config(typeof(G729BenchmarkConfig))]
public unsafe class G729Benchmarks : G729WrapperBenchmarkBase
{
    private readonly byte[] _directPayload = new byte[20];
    private nint _directEnc;
    private nint _directDec;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(729);
        for (int i = 0; i < Pcm.Length; i++)
        {
            Pcm[i] = (short)((6000 * Math.Sin(2 * Math.PI * 180 * i / 8000.0)) + (3000 * Math.Sin(2 * Math.PI * 1250 * i / 8000.0)) + rng.Next(-800, 800));
        }

        // Same library, same fresh state, same input: the same bytes, or the two call paths do not do the same work.
        using (var check = new G729Encoder(annexB: false))
        {
            nint fresh = DirectBcg729.initBcg729EncoderChannel(0);
            try
            {
                check.Encode(Pcm, Payload);
                DirectEncode(fresh);
            }
            finally
            {
                DirectBcg729.closeBcg729EncoderChannel(fresh);
            }
        }

        if (!Payload.AsSpan().SequenceEqual(_directPayload))
        {
            throw new InvalidOperationException("Our G.729 wrapper and the direct bcg729 calls disagree on the benchmark frame.");
        }

        UseWrappers(new G729Encoder(annexB: false), new G729Decoder());
        _directEnc = Encoder!.NativeContext;
        _directDec = Decoder!.NativeContext;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int Bcg729_Encode() => DirectEncode(_directEnc);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int Bcg729_Decode()
    {
        fixed (byte* b = Payload)
        fixed (short* s = Decoded)
        {
            DirectBcg729.bcg729Decoder(_directDec, b, 10, 0, 0, 0, s);
            DirectBcg729.bcg729Decoder(_directDec, b + 10, 10, 0, 0, 0, s + 80);
        }

        return FrameSamples;
    }

    private int DirectEncode(nint context)
    {
        byte len0, len1;
        fixed (short* s = Pcm)
        fixed (byte* b = _directPayload)
        {
            DirectBcg729.bcg729Encoder(context, s, b, &len0);
            DirectBcg729.bcg729Encoder(context, s + 80, b + len0, &len1);
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

/// <summary>
/// One process for both call paths (in-process toolchain), 3 launches' worth of iterations in one: 10 warm-ups and 45
/// iterations per case. Run it without <c>--job</c> (a command-line job would be added beside this one).
/// </summary>
internal sealed class G729BenchmarkConfig : ManualConfig
{
    public G729BenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(10)
            .WithIterationCount(45)
            .WithId("InProcess"));
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(CategoriesColumn.Default);
    }
}
