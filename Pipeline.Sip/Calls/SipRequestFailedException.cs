namespace Pipeline.Sip.Calls;

/// <summary>
/// A request sent in a call (REFER, NOTIFY…) got a final non-2xx answer (408 when none came). For a 401/407 the
/// message says why it was not (again) answered with credentials. The call itself stays up unless the answer ended
/// the dialog (481, 408).
/// </summary>
public sealed class SipRequestFailedException : Exception
{
    /// <summary>An exception for <paramref name="result"/>.</summary>
    public SipRequestFailedException(SipRequestResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    /// <summary>Required by the exception pattern; prefer the constructor taking a result.</summary>
    public SipRequestFailedException()
        : this("SIP request failed")
    {
    }

    /// <summary>Required by the exception pattern; prefer the constructor taking a result.</summary>
    public SipRequestFailedException(string message)
        : base(message)
    {
        Result = new SipRequestResult("?", 0, 500, message, [], ReadOnlyMemory<byte>.Empty, null);
    }

    /// <summary>Required by the exception pattern; prefer the constructor taking a result.</summary>
    public SipRequestFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Result = new SipRequestResult("?", 0, 500, message, [], ReadOnlyMemory<byte>.Empty, null);
    }

    /// <summary>The final answer.</summary>
    public SipRequestResult Result { get; }

    /// <summary>Its status code.</summary>
    public int StatusCode => Result.StatusCode;

    private static string Describe(SipRequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"{result.Method} failed: {result.StatusCode} {result.ReasonPhrase}" + (result.AuthenticationError is { } why ? $" ({why})" : "");
    }
}
