namespace Pipeline.Codecs.Opus;

/// <summary>The libopus encoder behind <see cref="OpusEncoder"/>.</summary>
internal sealed unsafe class NativeOpusEncoder : OpusEncoder
{
    private readonly OpusEncoderHandle _st;

    public NativeOpusEncoder(OpusEncoderOptions options)
        : base(options)
    {
        LibOpus.EnsureLoaded();
        int application = options.Application switch
        {
            OpusApplication.Audio => LibOpus.OPUS_APPLICATION_AUDIO,
            OpusApplication.LowDelay => LibOpus.OPUS_APPLICATION_RESTRICTED_LOWDELAY,
            _ => LibOpus.OPUS_APPLICATION_VOIP,
        };
        int error;
        _st = LibOpus.opus_encoder_create(options.SampleRate.Hertz, options.Channels, application, &error);
        if (error != LibOpus.OPUS_OK || _st.IsInvalid)
        {
            _st.Dispose();
            throw new OpusException($"opus_encoder_create({options.SampleRate.Hertz} Hz, {options.Channels} ch) failed: {LibOpus.ErrorString(error)}", error);
        }

        ApplyCurrentSettings();
    }

    public override OpusImplementation Implementation => OpusImplementation.Native;

    public override int Lookahead
    {
        get
        {
            int value;
            Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_GET_LOOKAHEAD_REQUEST, &value), "OPUS_GET_LOOKAHEAD");
            return value;
        }
    }

    public override void Reset() => Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_RESET_STATE), "OPUS_RESET_STATE");

    private protected override int EncodeCore(ReadOnlySpan<short> pcm, int samplesPerChannel, Span<byte> payload)
    {
        int n;
        fixed (short* p = pcm)
        fixed (byte* d = payload)
        {
            n = LibOpus.opus_encode(_st, p, samplesPerChannel, d, payload.Length);
        }

        if (n < 0) throw new OpusException($"opus_encode of {samplesPerChannel} samples into {payload.Length} bytes failed: {LibOpus.ErrorString(n)}", n);
        return n;
    }

    private protected override void ApplySettings(int bitrate, int complexity, int packetLossPercent, bool fec, bool dtx)
    {
        Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_SET_BITRATE_REQUEST, bitrate), "OPUS_SET_BITRATE");
        Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_SET_COMPLEXITY_REQUEST, complexity), "OPUS_SET_COMPLEXITY");
        Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, packetLossPercent), "OPUS_SET_PACKET_LOSS_PERC");
        Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_SET_INBAND_FEC_REQUEST, fec ? 1 : 0), "OPUS_SET_INBAND_FEC");
        Check(LibOpus.opus_encoder_ctl(_st, LibOpus.OPUS_SET_DTX_REQUEST, dtx ? 1 : 0), "OPUS_SET_DTX");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _st.Dispose();
        base.Dispose(disposing);
    }

    private static void Check(int result, string what)
    {
        if (result < 0) throw new OpusException($"opus_encoder_ctl({what}) failed: {LibOpus.ErrorString(result)}", result);
    }
}
