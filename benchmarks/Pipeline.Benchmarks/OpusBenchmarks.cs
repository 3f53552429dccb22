using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Benchmarks;

/// <summary>
/// Opus encode and decode of one 20 ms mono frame at 48 kHz and 16 kHz (voip, 32 kbit/s, complexity 9):
/// ours on libopus (<see cref="OpusCodec"/>'s default path: LibraryImport stubs, SafeHandle state) against libopus
/// called directly through function pointers as the baseline, and our Concentus (managed) path beside them.
/// Target: ours at most 1.05× the direct call's time, and 0 B allocated. × real time = 20 ms / mean.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class OpusBenchmarks
{
    private const int Bitrate = 32000;
    private const int Complexity = 9;
    private OpusEncoder? _ours;
    private OpusEncoder? _concentus;
    private OpusDecoder? _oursDecoder;
    private OpusDecoder? _concentusDecoder;
    private DirectLibOpus? _direct;
    private short[] _pcm = [];
    private short[] _decoded = [];
    private byte[] _payload = new byte[1500];
    private byte[] _packet = [];

    [Params(48000, 16000)]
    public int Rate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int frame = Rate / 50;
        _pcm = new short[frame];
        _decoded = new short[frame];
        var rng = new Random(6716);
        for (int i = 0; i < frame; i++)
        {
            _pcm[i] = (short)((7000 * Math.Sin(2 * Math.PI * 440 * i / Rate)) + (3000 * Math.Sin(2 * Math.PI * 1900 * i / Rate)) + rng.Next(-800, 800));
        }

        var options = new OpusEncoderOptions { SampleRate = new SampleRate(Rate), Bitrate = Bitrate, Complexity = Complexity };
        _ours = OpusCodec.CreateEncoder(options, OpusImplementation.Auto);
        if (_ours.Implementation != OpusImplementation.Native) throw new InvalidOperationException("libopus is not loadable here: the benchmark compares against it.");
        _concentus = OpusCodec.CreateEncoder(options, OpusImplementation.Managed);
        _oursDecoder = OpusCodec.CreateDecoder(new SampleRate(Rate), 1);
        _concentusDecoder = OpusCodec.CreateDecoder(new SampleRate(Rate), 1, OpusImplementation.Managed);
        _direct = new DirectLibOpus(Rate, Bitrate, Complexity);

        // Same library, same settings, same input: the first packets must be the same bytes, or the two sides do different work.
        int a = _ours.Encode(_pcm, _payload);
        var direct = new byte[1500];
        int b = _direct.Encode(_pcm, direct);
        if (!_payload.AsSpan(0, a).SequenceEqual(direct.AsSpan(0, b)))
        {
            throw new InvalidOperationException("Our libopus encoder and the direct call disagree on the benchmark frame.");
        }

        _packet = _payload.AsSpan(0, a).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours?.Dispose();
        _concentus?.Dispose();
        _oursDecoder?.Dispose();
        _concentusDecoder?.Dispose();
        _direct?.Dispose();
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Ours_Encode() => _ours!.Encode(_pcm, _payload);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Encode")]
    public int LibOpus_Encode() => _direct!.Encode(_pcm, _payload);

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Concentus_Encode() => _concentus!.Encode(_pcm, _payload);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Ours_Decode() => _oursDecoder!.Decode(_packet, _decoded);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decode")]
    public int LibOpus_Decode() => _direct!.Decode(_packet, _decoded);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Concentus_Decode() => _concentusDecoder!.Decode(_packet, _decoded);
}

/// <summary>libopus through bare function pointers: the least a caller can do per frame (the baseline).</summary>
internal sealed unsafe class DirectLibOpus : IDisposable
{
    private const string Library = "libopus.so.0";
    private readonly nint _lib;
    private readonly nint _enc;
    private readonly nint _dec;
    private readonly int _frame;
    private readonly delegate* unmanaged<nint, short*, int, byte*, int, int> _encode;
    private readonly delegate* unmanaged<nint, byte*, int, short*, int, int, int> _decode;
    private readonly delegate* unmanaged<nint, void> _encoderDestroy;
    private readonly delegate* unmanaged<nint, void> _decoderDestroy;

    public DirectLibOpus(int rate, int bitrate, int complexity)
    {
        if (!NativeLibrary.TryLoad(Library, out _lib))
        {
            throw new InvalidOperationException($"{Library} could not be loaded: the baseline of the Opus benchmark needs Debian's libopus0 package (apt-get install libopus0).");
        }

        var encoderCreate = (delegate* unmanaged<int, int, int, int*, nint>)NativeLibrary.GetExport(_lib, "opus_encoder_create");
        var decoderCreate = (delegate* unmanaged<int, int, int*, nint>)NativeLibrary.GetExport(_lib, "opus_decoder_create");

        // opus_encoder_ctl is variadic; an int argument travels like a fixed one on Linux x64/arm64 (see LibOpus).
        var ctl = (delegate* unmanaged<nint, int, int, int>)NativeLibrary.GetExport(_lib, "opus_encoder_ctl");
        _encode = (delegate* unmanaged<nint, short*, int, byte*, int, int>)NativeLibrary.GetExport(_lib, "opus_encode");
        _decode = (delegate* unmanaged<nint, byte*, int, short*, int, int, int>)NativeLibrary.GetExport(_lib, "opus_decode");
        _encoderDestroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(_lib, "opus_encoder_destroy");
        _decoderDestroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(_lib, "opus_decoder_destroy");
        int error;
        _enc = encoderCreate(rate, 1, 2048 /* OPUS_APPLICATION_VOIP */, &error);
        _dec = decoderCreate(rate, 1, &error);
        if (_enc == 0 || _dec == 0) throw new InvalidOperationException("opus_encoder_create/opus_decoder_create failed.");

        // The same settings our encoder applies (the others are libopus's defaults: FEC, DTX and loss 0).
        ctl(_enc, 4002 /* OPUS_SET_BITRATE */, bitrate);
        ctl(_enc, 4010 /* OPUS_SET_COMPLEXITY */, complexity);
        ctl(_enc, 4014 /* OPUS_SET_PACKET_LOSS_PERC */, 0);
        ctl(_enc, 4012 /* OPUS_SET_INBAND_FEC */, 0);
        ctl(_enc, 4016 /* OPUS_SET_DTX */, 0);
        _frame = rate / 50;
    }

    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        fixed (short* p = pcm)
        fixed (byte* d = payload)
        {
            return _encode(_enc, p, _frame, d, payload.Length);
        }
    }

    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        fixed (byte* d = packet)
        fixed (short* p = pcm)
        {
            return _decode(_dec, d, packet.Length, p, pcm.Length, 0);
        }
    }

    public void Dispose()
    {
        if (_enc != 0) _encoderDestroy(_enc);
        if (_dec != 0) _decoderDestroy(_dec);
    }
}
