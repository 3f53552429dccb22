namespace Pipeline.Sip.Messages;

/// <summary>A SIP response.</summary>
internal sealed class SipResponse : SipMessage
{
    private string? _reasonPhrase;
    private readonly int _reasonStart;
    private readonly int _reasonLength;

    public SipResponse(int statusCode, string reasonPhrase)
    {
        StatusCode = statusCode;
        _reasonPhrase = reasonPhrase;
    }

    /// <summary>A parsed response whose reason phrase is the byte range given of <paramref name="raw"/>, decoded on first use.</summary>
    internal SipResponse(int statusCode, byte[] raw, int reasonStart, int reasonLength)
        : base(raw)
    {
        StatusCode = statusCode;
        _reasonStart = reasonStart;
        _reasonLength = reasonLength;
    }

    public int StatusCode { get; }

    public string ReasonPhrase => _reasonPhrase ??= DecodeRaw(_reasonStart, _reasonLength);

    /// <summary>The reason phrase bytes as received, when the response was parsed.</summary>
    internal ReadOnlySpan<byte> RawReasonPhrase => _reasonPhrase is null && Raw is { } r ? r.AsSpan(_reasonStart, _reasonLength) : default;

    public override bool IsRequest => false;

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static string DefaultReason(int code) => code switch
    {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        183 => "Session Progress",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        600 => "Busy Everywhere",
        603 => "Decline",
        _ => code < 200 ? "Progress" : code < 300 ? "OK" : "Error",
    };
}
