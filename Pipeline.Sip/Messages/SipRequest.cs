namespace Pipeline.Sip.Messages;

/// <summary>A SIP request. <see cref="Uri"/> is null when the Request-URI scheme is not sip/sips (<see cref="RequestUriText"/> keeps it).</summary>
internal sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri uri)
    {
        Method = method;
        Uri = uri;
        RequestUriText = uri.ToString();
    }

    internal SipRequest(string method, string requestUriText, SipUri? uri)
    {
        Method = method;
        RequestUriText = requestUriText;
        Uri = uri;
    }

    public string Method { get; }

    public string RequestUriText { get; }

    public SipUri? Uri { get; }

    public override bool IsRequest => true;

    internal override void Validate()
    {
        base.Validate();
        if (!string.Equals(CSeq.Method, Method, StringComparison.Ordinal))
        {
            throw new SipParseException(SipHeaderNames.CSeq, $"method {CSeq.Method} does not match request method {Method}");
        }
    }
}
