using Pipeline.Codecs.Opus;
using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>Opus in an Ogg Opus file (RFC 7845), through <see cref="OggOpusFile"/>: libopus when installed, else the
/// managed Concentus port, so it is always available. Mono or stereo at 48 kHz; 20 ms frames.</summary>
internal sealed class OpusCodecAdapter : CodecAdapter
{
    /// <summary>Default bit rate per channel when <c>--bitrate</c> is not given.</summary>
    public const int DefaultBitratePerChannel = 32000;

    public override string Name => "opus";

    public override string Title => "Opus (opus/48000/2, dynamic PT)";

    public override SampleRate SampleRate => SampleRate.Hz48000;

    public override string Rates => "48000 Hz";

    public override string FrameSizes => "2.5-60 ms; 20 ms written";

    public override string FileFormat => "Ogg Opus (RFC 7845), mono or stereo";

    public override string Implementation => OpusCodec.IsNativeAvailable ? "native libopus.so.0" : "managed Concentus (libopus.so.0 not found)";

    public override bool TakesBitrate => true;

    public override bool Accepts(int channels) => channels is 1 or 2;

    public override void Validate(EncodeSettings settings)
    {
        if (settings.Bitrate is int b && b is < 500 or > 512000) throw new UsageException($"--bitrate for opus is 500 to 512000 bit/s, not {b}");
    }

    public override void Encode(ReadOnlySpan<short> pcm, int channels, Stream output, EncodeSettings settings)
    {
        int bitrate = settings.Bitrate ?? DefaultBitratePerChannel * channels;
        var options = new OpusEncoderOptions
        {
            SampleRate = SampleRate.Hz48000,
            Channels = channels,
            Bitrate = bitrate,
            Application = OpusApplication.Audio,
        };
        OggOpusFile.Write(output, pcm, options);
    }

    public override DecodedAudio Decode(Stream input, string what)
    {
        OggOpusAudio audio;
        try
        {
            audio = OggOpusFile.Read(input, SampleRate.Hz48000);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{what} is not an Ogg Opus file: {ex.Message}", ex);
        }

        return new DecodedAudio(audio.SampleRate, audio.Channels, audio.Samples);
    }
}
