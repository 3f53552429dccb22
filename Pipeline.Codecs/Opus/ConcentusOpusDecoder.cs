using Pipeline.Core.Media;
using ConcentusDecoder = Concentus.Structs.OpusDecoder;

namespace Pipeline.Codecs.Opus;

/// <summary>The Concentus (managed port of libopus) decoder behind <see cref="OpusDecoder"/>.
/// <para>Concentus 2.2.2 decodes hybrid packets (SILK + CELT, configs 12–15, what a 48 kHz sender produces at
/// moderate bit rates) wrongly when asked for less than 48 kHz: the output is unrelated to the signal. So below 48 kHz
/// this decoder runs Concentus at 48 kHz and brings the result down with <see cref="OpusDecimator"/>
/// (linear phase, 8 output samples of delay more than libopus).</para></summary>
internal sealed class ConcentusOpusDecoder : OpusDecoder
{
    private readonly ConcentusDecoder _dec;
    private readonly int _factor;
    private readonly OpusDecimator? _decimator;
    private readonly short[]? _wide;

    public ConcentusOpusDecoder(SampleRate sampleRate, int channels)
        : base(sampleRate, channels)
    {
        _factor = 48000 / sampleRate.Hertz;
        try
        {
#pragma warning disable CS0618 // Concentus marks the direct constructor obsolete in favour of its factory, which prefers a native library.
            _dec = new ConcentusDecoder(48000, channels);
#pragma warning restore CS0618
        }
        catch (Concentus.OpusException ex)
        {
            throw new OpusException($"Concentus could not create a decoder (48000 Hz, {channels} ch): {ex.Message}", ex);
        }

        if (_factor > 1)
        {
            _decimator = new OpusDecimator(_factor, channels, 5760);
            _wide = new short[5760 * channels];
        }
    }

    public override OpusImplementation Implementation => OpusImplementation.Managed;

    public override int GetSampleCount(ReadOnlySpan<byte> payload) => OpusPacket.SampleCount(payload, SampleRate.Hertz);

    public override void Reset()
    {
        _dec.ResetState();
        _decimator?.Reset();
    }

    private protected override int DecodeCore(ReadOnlySpan<byte> payload, Span<short> pcm, int samples, bool fec)
    {
        try
        {
            // A packet of just the TOC byte (DTX, or a frame the sender chose not to code) is concealment for
            // its duration, as libopus does it; Concentus 2.2.2 rejects it instead. It carries no FEC either.
            if (payload.Length == 1)
            {
                payload = default;
                fec = false;
            }

            if (_decimator is null) return _dec.Decode(payload, pcm, samples, fec);

            int wide = _dec.Decode(payload, _wide.AsSpan(0, samples * _factor * Channels), samples * _factor, fec);
            _decimator.Process(_wide, wide, pcm);
            return wide / _factor;
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
