using Microsoft.Win32.SafeHandles;

namespace Pipeline.Codecs.Opus;

/// <summary>A libopus <c>OpusEncoder*</c>; released with <c>opus_encoder_destroy</c>.</summary>
internal sealed class OpusEncoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OpusEncoderHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibOpus.opus_encoder_destroy(handle);
        return true;
    }
}
