using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// Makes Opus encoders and decoders on the best implementation available: Debian's libopus (<c>libopus.so.0</c>,
/// package <c>libopus0</c>) when it can be loaded, otherwise Concentus (managed, slower, allocates per frame).
/// Both give RFC 6716 Opus and interoperate; they are not bit-identical.
/// </summary>
public static class OpusCodec
{
    /// <summary>The rtpmap encoding name (RFC 7587: <c>opus/48000/2</c>).</summary>
    public const string EncodingName = "opus";

    /// <summary>True when libopus can be loaded here (probed once).</summary>
    public static bool IsNativeAvailable => LibOpus.IsAvailable;

    /// <summary>The version string of the implementation <paramref name="implementation"/> resolves to, e.g. "libopus 1.3.1".</summary>
    public static string GetVersion(OpusImplementation implementation = OpusImplementation.Auto) =>
        Resolve(implementation) == OpusImplementation.Native ? LibOpus.Version() : "Concentus 2.2.2 (managed)";

    /// <summary>A new encoder for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <exception cref="DllNotFoundException"><see cref="OpusImplementation.Native"/> was asked for and libopus cannot be loaded.</exception>
    public static OpusEncoder CreateEncoder(OpusEncoderOptions options, OpusImplementation implementation = OpusImplementation.Auto)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Resolve(implementation) == OpusImplementation.Native
            ? new NativeOpusEncoder(options)
            : new ConcentusOpusEncoder(options);
    }

    /// <summary>A new decoder producing <paramref name="sampleRate"/> (8, 12, 16, 24 or 48 kHz) with <paramref name="channels"/> (1 or 2) channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or channel count Opus does not have.</exception>
    /// <exception cref="DllNotFoundException"><see cref="OpusImplementation.Native"/> was asked for and libopus cannot be loaded.</exception>
    public static OpusDecoder CreateDecoder(SampleRate sampleRate, int channels, OpusImplementation implementation = OpusImplementation.Auto)
    {
        OpusEncoderOptions.ValidateSampleRate(sampleRate, nameof(sampleRate));
        OpusEncoderOptions.ValidateChannels(channels, nameof(channels));
        return Resolve(implementation) == OpusImplementation.Native
            ? new NativeOpusDecoder(sampleRate, channels)
            : new ConcentusOpusDecoder(sampleRate, channels);
    }

    private static OpusImplementation Resolve(OpusImplementation implementation) => Resolve(implementation, LibOpus.IsAvailable);

    /// <summary>The implementation to build for a preference, given whether libopus loads.</summary>
    internal static OpusImplementation Resolve(OpusImplementation implementation, bool nativeAvailable) => implementation switch
    {
        OpusImplementation.Auto => nativeAvailable ? OpusImplementation.Native : OpusImplementation.Managed,
        OpusImplementation.Native => nativeAvailable ? OpusImplementation.Native : throw LibOpus.MissingLibrary(LibOpus.LibraryName),
        OpusImplementation.Managed => OpusImplementation.Managed,
        _ => throw new ArgumentOutOfRangeException(nameof(implementation), implementation, $"Opus implementation {(int)implementation} is not Auto, Native or Managed."),
    };
}
