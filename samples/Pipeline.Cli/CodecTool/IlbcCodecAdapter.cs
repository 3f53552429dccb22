using Pipeline.Codecs.Ilbc;
using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>iLBC (RFC 3951) in the storage format of RFC 3952 §5: <c>#!iLBC30\n</c> or <c>#!iLBC20\n</c>, then
/// 50- or 38-byte frames. Managed; <c>--mode 20|30</c> picks the frame length (30 by default, as RFC 3952 says).</summary>
internal sealed class IlbcCodecAdapter : CodecAdapter
{
    public override string Name => "ilbc";

    public override string Title => "iLBC (iLBC/8000, dynamic PT)";

    public override SampleRate SampleRate => SampleRate.Hz8000;

    public override string FrameSizes => "20 ms = 38 bytes, 30 ms = 50 bytes";

    public override string FileFormat => "RFC 3952 storage: #!iLBC30\\n or #!iLBC20\\n, then frames";

    public override string Implementation => "managed";

    public override bool TakesMode => true;

    public override void Encode(ReadOnlySpan<short> pcm, int channels, Stream output, EncodeSettings settings)
    {
        var mode = settings.ModeMs == 20 ? IlbcMode.Ms20 : IlbcMode.Ms30;
        var encoder = new IlbcEncoder(mode);
        int frameSamples = (int)mode * 8;
        var frame = new short[frameSamples];
        var payload = new byte[encoder.GetMaxEncodedLength(frameSamples)];
        IlbcFile.WriteHeader(output, mode);
        for (int offset = 0; offset < pcm.Length; offset += frameSamples)
        {
            int n = Math.Min(frameSamples, pcm.Length - offset);
            pcm.Slice(offset, n).CopyTo(frame);
            frame.AsSpan(n).Clear();
            int bytes = encoder.Encode(frame, payload);
            output.Write(payload, 0, bytes);
        }
    }

    public override DecodedAudio Decode(Stream input, string what)
    {
        IlbcMode mode;
        try
        {
            mode = IlbcFile.ReadHeader(input);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{what}: {ex.Message}", ex);
        }

        var decoder = new IlbcDecoder(mode);
        var payload = new byte[IlbcFile.FrameLength(mode)];
        var frame = new short[(int)mode * 8];
        var pcm = new List<short>();
        while (IlbcFile.ReadFrame(input, mode, payload))
        {
            int samples = decoder.Decode(payload, frame);
            pcm.AddRange(frame.AsSpan(0, samples));
        }

        if (pcm.Count == 0) throw new InvalidDataException($"{what} has an iLBC header but no whole {(int)mode} ms frame.");
        return new DecodedAudio(SampleRate.Hz8000, 1, [.. pcm]);
    }
}
