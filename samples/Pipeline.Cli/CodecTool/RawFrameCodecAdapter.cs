using Pipeline.Codecs;
using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>
/// A codec whose file is its frames back to back with no header (G.711, G.722, G.729): encoding runs the
/// <see cref="IAudioEncoder"/> frame by frame (the last frame padded with silence) and writes the bytes;
/// decoding cuts the file into <c>decodeChunkBytes</c> pieces and runs the <see cref="IAudioDecoder"/> on each.
/// </summary>
internal sealed class RawFrameCodecAdapter(
    string name,
    string title,
    SampleRate sampleRate,
    int frameSamples,
    int decodeChunkBytes,
    string frameSizes,
    string fileFormat,
    string implementation,
    Func<IAudioEncoder> createEncoder,
    Func<IAudioDecoder> createDecoder,
    Func<string?>? unavailableReason = null,
    Func<long, string?>? checkLength = null) : CodecAdapter
{
    public override string Name => name;

    public override string Title => title;

    public override SampleRate SampleRate => sampleRate;

    public override string FrameSizes => frameSizes;

    public override string FileFormat => fileFormat;

    public override string Implementation => implementation;

    public override string? UnavailableReason => unavailableReason?.Invoke();

    public override void Encode(ReadOnlySpan<short> pcm, int channels, Stream output, EncodeSettings settings)
    {
        var encoder = createEncoder();
        try
        {
            var frame = new short[frameSamples];
            var payload = new byte[encoder.GetMaxEncodedLength(frameSamples)];
            for (int offset = 0; offset < pcm.Length; offset += frameSamples)
            {
                int n = Math.Min(frameSamples, pcm.Length - offset);
                pcm.Slice(offset, n).CopyTo(frame);
                frame.AsSpan(n).Clear();
                int bytes = encoder.Encode(frame, payload);
                output.Write(payload, 0, bytes);
            }
        }
        finally
        {
            (encoder as IDisposable)?.Dispose();
        }
    }

    public override DecodedAudio Decode(Stream input, string what)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.Length == 0) throw new InvalidDataException($"{what} is empty: no {title} frames in it.");
        if (checkLength?.Invoke(bytes.Length) is string problem) throw new InvalidDataException($"{what} is not a {fileFormat} file: {problem}");

        var decoder = createDecoder();
        try
        {
            var pcm = new List<short>(bytes.Length * 2);
            var frame = new short[decoder.GetSampleCount(new byte[decodeChunkBytes])];
            for (int offset = 0; offset < bytes.Length; offset += decodeChunkBytes)
            {
                var chunk = bytes.Slice(offset, Math.Min(decodeChunkBytes, bytes.Length - offset));
                int samples = decoder.Decode(chunk, frame);
                pcm.AddRange(frame.AsSpan(0, samples));
            }

            return new DecodedAudio(sampleRate, 1, [.. pcm]);
        }
        finally
        {
            (decoder as IDisposable)?.Dispose();
        }
    }
}
