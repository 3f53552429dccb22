using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>
/// What <c>codec</c> needs to know about one codec: its PCM format, how to turn PCM into its file format and
/// back, and whether its implementation is available. One small subclass (or one <see cref="RawFrameCodecAdapter"/>
/// line in <see cref="CodecAdapters"/>) per codec.
/// </summary>
internal abstract class CodecAdapter
{
    /// <summary>The CLI name (lower case), e.g. <c>pcmu</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the codec is, for <c>codec list</c>.</summary>
    public abstract string Title { get; }

    /// <summary>The PCM rate the encoder takes (input WAVs are resampled to it) and the decoded WAV has.</summary>
    public abstract SampleRate SampleRate { get; }

    /// <summary>Whether the encoder takes audio with <paramref name="channels"/> channels as it is; other
    /// channel counts are downmixed to mono first. Mono codecs take 1.</summary>
    public virtual bool Accepts(int channels) => channels == 1;

    /// <summary>The rates it runs at, for <c>codec list</c>.</summary>
    public virtual string Rates => $"{SampleRate.Hertz} Hz";

    /// <summary>Frame sizes, for <c>codec list</c>.</summary>
    public abstract string FrameSizes { get; }

    /// <summary>The file format written and read.</summary>
    public abstract string FileFormat { get; }

    /// <summary>Which implementation runs (managed, or the native library used).</summary>
    public abstract string Implementation { get; }

    /// <summary>Null when the codec can run here; otherwise why not (a missing native library and its package).</summary>
    public virtual string? UnavailableReason => null;

    /// <summary>Whether <c>--bitrate</c> means something for this codec.</summary>
    public virtual bool TakesBitrate => false;

    /// <summary>Whether <c>--mode 20|30</c> means something for this codec.</summary>
    public virtual bool TakesMode => false;

    /// <summary>Checks the codec-specific options before anything is read or written.</summary>
    /// <exception cref="UsageException">An option is out of range for this codec.</exception>
    public virtual void Validate(EncodeSettings settings)
    {
    }

    /// <summary>Encodes <paramref name="pcm"/> (interleaved <paramref name="channels"/>, at <see cref="SampleRate"/>)
    /// into <paramref name="output"/> in <see cref="FileFormat"/>.</summary>
    public abstract void Encode(ReadOnlySpan<short> pcm, int channels, Stream output, EncodeSettings settings);

    /// <summary>Decodes a whole file.</summary>
    /// <exception cref="InvalidDataException">The file is not in <see cref="FileFormat"/>; the message says why.</exception>
    public abstract DecodedAudio Decode(Stream input, string what);
}

/// <summary>Options of <c>codec encode</c> that only some codecs take (null: the codec's default).</summary>
internal sealed record EncodeSettings(int? Bitrate, int? ModeMs);

/// <summary>Decoded PCM (interleaved) and its format.</summary>
internal sealed record DecodedAudio(SampleRate SampleRate, int Channels, short[] Samples);
