using Concentus.Enums;
using ConcentusEncoder = Concentus.Structs.OpusEncoder;

namespace Pipeline.Codecs.Opus;

/// <summary>The Concentus (managed port of libopus) encoder behind <see cref="OpusEncoder"/>. Concentus is created
/// directly, not through its factory, which would itself try to load a native libopus.</summary>
internal sealed class ConcentusOpusEncoder : OpusEncoder
{
    private readonly ConcentusEncoder _enc;

    public ConcentusOpusEncoder(OpusEncoderOptions options)
        : base(options)
    {
        var application = options.Application switch
        {
            OpusApplication.Audio => Concentus.Enums.OpusApplication.OPUS_APPLICATION_AUDIO,
            OpusApplication.LowDelay => Concentus.Enums.OpusApplication.OPUS_APPLICATION_RESTRICTED_LOWDELAY,
            _ => Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP,
        };
        try
        {
#pragma warning disable CS0618 // Concentus marks the direct constructor obsolete in favour of its factory, which prefers a native library.
            _enc = new ConcentusEncoder(options.SampleRate.Hertz, options.Channels, application);
#pragma warning restore CS0618
        }
        catch (Concentus.OpusException ex)
        {
            throw new OpusException($"Concentus could not create an encoder ({options.SampleRate.Hertz} Hz, {options.Channels} ch): {ex.Message}", ex);
        }

        ApplyCurrentSettings();
    }

    public override OpusImplementation Implementation => OpusImplementation.Managed;

    public override int Lookahead => _enc.Lookahead;

    public override void Reset() => _enc.ResetState();

    private protected override int EncodeCore(ReadOnlySpan<short> pcm, int samplesPerChannel, Span<byte> payload)
    {
        try
        {
            return _enc.Encode(pcm, samplesPerChannel, payload, payload.Length);
        }
        catch (Concentus.OpusException ex)
        {
            throw new OpusException($"Concentus could not encode {samplesPerChannel} samples into {payload.Length} bytes: {ex.Message}", ex);
        }
    }

    private protected override void ApplySettings(int bitrate, int complexity, int packetLossPercent, bool fec, bool dtx)
    {
        _enc.Bitrate = bitrate;
        _enc.Complexity = complexity;
        _enc.PacketLossPercent = packetLossPercent;
        _enc.UseInbandFEC = fec;
        _enc.UseDTX = dtx;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _enc.Dispose();
        base.Dispose(disposing);
    }
}
