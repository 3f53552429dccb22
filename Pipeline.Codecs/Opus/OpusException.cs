namespace Pipeline.Codecs.Opus;

/// <summary>An Opus library call failed; <see cref="ErrorCode"/> is libopus's <c>OPUS_*</c> error code
/// (negative) and the message includes libopus's description of it.</summary>
public sealed class OpusException : Exception
{
    public OpusException()
    {
    }

    public OpusException(string message)
        : base(message)
    {
    }

    public OpusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="message">What was being done.</param>
    /// <param name="errorCode">libopus's error code (OPUS_BAD_ARG = -1 … OPUS_ALLOC_FAIL = -7).</param>
    public OpusException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>libopus's error code: -1 bad argument, -2 buffer too small, -3 internal error, -4 invalid packet,
    /// -5 unimplemented, -6 invalid state, -7 allocation failed; 0 when not from libopus.</summary>
    public int ErrorCode { get; }
}
