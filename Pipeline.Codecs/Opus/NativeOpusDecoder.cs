using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>The libopus decoder behind <see cref="OpusDecoder"/>.</summary>
internal sealed unsafe class NativeOpusDecoder : OpusDecoder
{
    private readonly OpusDecoderHandle _st;

    public NativeOpusDecoder(SampleRate sampleRate, int channels)
        : base(sampleRate, channels)
    {
        LibOpus.EnsureLoaded();
        int error;
        _st = LibOpus.opus_decoder_create(sampleRate.Hertz, channels, &error);
        if (error != LibOpus.OPUS_OK || _st.IsInvalid)
        {
            _st.Dispose();
            throw new OpusException($"opus_decoder_create({sampleRate.Hertz} Hz, {channels} ch) failed: {LibOpus.ErrorString(error)}", error);
        }
    }

    public override OpusImplementation Implementation => OpusImplementation.Native;

    public override int GetSampleCount(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return 0;
        int n;
        fixed (byte* p = payload)
        {
            n = LibOpus.opus_packet_get_nb_samples(p, payload.Length, SampleRate.Hertz);
        }

        return n > 0 && n <= MaxFrameSamples ? n : 0;
    }

    public override void Reset()
    {
        int r = LibOpus.opus_decoder_ctl(_st, LibOpus.OPUS_RESET_STATE);
        if (r < 0) throw new OpusException($"opus_decoder_ctl(OPUS_RESET_STATE) failed: {LibOpus.ErrorString(r)}", r);
    }

    private protected override int DecodeCore(ReadOnlySpan<byte> payload, Span<short> pcm, int samples, bool fec)
    {
        int n;
        fixed (byte* d = payload)
        fixed (short* p = pcm)
        {
            // An empty span pins to NULL: libopus conceals.
            n = LibOpus.opus_decode(_st, payload.IsEmpty ? null : d, payload.Length, p, samples, fec ? 1 : 0);
        }

        if (n < 0)
        {
            string what = payload.IsEmpty ? "concealment" : fec ? "FEC decode" : "decode";
            if (n == LibOpus.OPUS_INVALID_PACKET) throw new InvalidDataException($"opus {what} of a {payload.Length}-byte packet: {LibOpus.ErrorString(n)}");
            throw new OpusException($"opus {what} of {samples} samples failed: {LibOpus.ErrorString(n)}", n);
        }

        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _st.Dispose();
        base.Dispose(disposing);
    }
}
