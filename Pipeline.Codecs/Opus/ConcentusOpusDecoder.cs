using Pipeline.Core.Media;
using ConcentusDecoder = Concentus.Structs.OpusDecoder;

namespace Pipeline.Codecs.Opus;

/// <summary>The Concentus (managed port of libopus) decoder behind <see cref="OpusDecoder"/>.</summary>
internal sealed class ConcentusOpusDecoder : OpusDecoder
{
    private readonly ConcentusDecoder _dec;

    public ConcentusOpusDecoder(SampleRate sampleRate, int channels)
        : base(sampleRate, channels)
    {
        try
        {
#pragma warning disable CS0618 // Concentus marks the direct constructor obsolete in favour of its factory, which prefers a native library.
            _dec = new ConcentusDecoder(sampleRate.Hertz, channels);
#pragma warning restore CS0618
        }
        catch (Concentus.OpusException ex)
        {
            throw new OpusException($"Concentus could not create a decoder ({sampleRate.Hertz} Hz, {channels} ch): {ex.Message}", ex);
        }
    }

    public override OpusImplementation Implementation => OpusImplementation.Managed;

    public override int GetSampleCount(ReadOnlySpan<byte> payload) => OpusPacket.SampleCount(payload, SampleRate.Hertz);

    public override void Reset() => _dec.ResetState();

    private protected override int DecodeCore(ReadOnlySpan<byte> payload, Span<short> pcm, int samples, bool fec)
    {
        try
        {
            return _dec.Decode(payload, pcm, samples, fec);
        }
        catch (Concentus.OpusException ex)
        {
            throw new InvalidDataException($"Concentus could not decode a {payload.Length}-byte Opus packet: {ex.Message}", ex);
        }
        catch (IndexOutOfRangeException ex)
        {
            // A malformed packet can run Concentus's parser off its buffers; from the wire that is bad data, not a crash.
            throw new InvalidDataException($"Concentus could not decode a {payload.Length}-byte Opus packet (malformed).", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dec.Dispose();
        base.Dispose(disposing);
    }
}
