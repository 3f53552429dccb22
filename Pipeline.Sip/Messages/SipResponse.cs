namespace Pipeline.Sip.Messages;

/// <summary>A SIP response.</summary>
internal sealed class SipResponse(int statusCode, string reasonPhrase) : SipMessage
{
    public int StatusCode { get; } = statusCode;

    public string ReasonPhrase { get; } = reasonPhrase;

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
