namespace Pipeline.Sip.Calls;

/// <summary>A call could not be set up: the final status the peer sent (or 408 for a timeout) and its reason phrase.</summary>
public sealed class CallFailedException : Exception
{
    public CallFailedException(int statusCode, string reasonPhrase)
        : base($"Call failed: {statusCode} {reasonPhrase}")
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public CallFailedException()
        : this(500, "Call failed")
    {
    }

    public CallFailedException(string message)
        : this(500, message)
    {
    }

    public CallFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        ReasonPhrase = message;
    }

    /// <summary>SIP status code of the final response (408 when no response came).</summary>
    public int StatusCode { get; }

    public string ReasonPhrase { get; }
}
