using Microsoft.Win32.SafeHandles;

namespace Pipeline.Codecs.Opus;

/// <summary>A libopus <c>OpusDecoder*</c>; released with <c>opus_decoder_destroy</c>.</summary>
internal sealed class OpusDecoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OpusDecoderHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibOpus.opus_decoder_destroy(handle);
        return true;
    }
}
