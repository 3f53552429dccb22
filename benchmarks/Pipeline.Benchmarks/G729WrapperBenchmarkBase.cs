using BenchmarkDotNet.Attributes;
using Pipeline.Codecs;
using Pipeline.Codecs.G729;

namespace Pipeline.Benchmarks;

/// <summary>
/// What the two G.729 benchmark classes share: one 20 ms frame (160 samples at 8 kHz, two 10-byte G.729 frames), our
/// wrapper called through <see cref="IAudioEncoder"/>/<see cref="IAudioDecoder"/> as the graph calls it, and the
/// buffers the direct baseline of each subclass uses too.
/// </summary>
public abstract class G729WrapperBenchmarkBase
{
    protected const int FrameSamples = 160;

    private IAudioEncoder? _encoderInterface;
    private IAudioDecoder? _decoderInterface;

    protected short[] Pcm { get; } = new short[FrameSamples];

    protected short[] Decoded { get; } = new short[FrameSamples];

    protected byte[] Payload { get; } = new byte[20];

    protected G729Encoder? Encoder { get; private set; }

    protected G729Decoder? Decoder { get; private set; }

    [GlobalCleanup]
    public void Cleanup()
    {
        // A baseline that borrows the wrappers' native contexts leaves them to be freed here, once.
        Encoder?.Dispose();
        Decoder?.Dispose();
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public int Ours_Encode() => _encoderInterface!.Encode(Pcm, Payload);

    [Benchmark]
    [BenchmarkCategory("Decode")]
    public int Ours_Decode() => _decoderInterface!.Decode(Payload, Decoded);

    protected void UseWrappers(G729Encoder encoder, G729Decoder decoder)
    {
        Encoder = encoder;
        Decoder = decoder;
        _encoderInterface = encoder;
        _decoderInterface = decoder;
    }
}
