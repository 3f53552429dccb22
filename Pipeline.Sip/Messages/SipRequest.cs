namespace Pipeline.Sip.Messages;

/// <summary>A SIP request. <see cref="Uri"/> is null when the Request-URI scheme is not sip/sips (<see cref="RequestUriText"/> keeps it).</summary>
internal sealed class SipRequest : SipMessage
{
    private string? _requestUriText;
    private SipUri? _uri;
    private bool _uriPending;
    private readonly int _uriStart;
    private readonly int _uriLength;

    public SipRequest(string method, SipUri uri)
    {
        Method = method;
        _uri = uri;
        _requestUriText = uri.ToString();
    }

    internal SipRequest(string method, string requestUriText, SipUri? uri)
    {
        Method = method;
        _requestUriText = requestUriText;
        _uri = uri;
    }

    /// <summary>A parsed request whose Request-URI is the byte range given of <paramref name="raw"/>; <paramref name="sipUri"/> says it is a valid sip/sips URI, built on first use.</summary>
    internal SipRequest(string method, byte[] raw, int uriStart, int uriLength, bool sipUri)
        : base(raw)
    {
        Method = method;
        _uriStart = uriStart;
        _uriLength = uriLength;
        _uriPending = sipUri;
    }

    public string Method { get; }

    public string RequestUriText => _requestUriText ??= DecodeRaw(_uriStart, _uriLength);

    public SipUri? Uri
    {
        get
        {
            if (_uriPending)
            {
                _uri = SipUri.TryParse(RequestUriText, out var u) ? u : null;
                _uriPending = false;
            }

            return _uri;
        }
    }

    /// <summary>The Request-URI bytes as received, when the request was parsed and not rebuilt.</summary>
    internal ReadOnlySpan<byte> RawRequestUri => _requestUriText is null && Raw is { } r ? r.AsSpan(_uriStart, _uriLength) : default;

    public override bool IsRequest => true;

    /// <summary>The shared string of a standard method (case-sensitive), or null.</summary>
    internal static string? InternMethod(ReadOnlySpan<char> method) => method switch
    {
        "INVITE" => "INVITE",
        "ACK" => "ACK",
        "BYE" => "BYE",
        "CANCEL" => "CANCEL",
        "OPTIONS" => "OPTIONS",
        "REGISTER" => "REGISTER",
        "PRACK" => "PRACK",
        "SUBSCRIBE" => "SUBSCRIBE",
        "NOTIFY" => "NOTIFY",
        "PUBLISH" => "PUBLISH",
        "INFO" => "INFO",
        "REFER" => "REFER",
        "MESSAGE" => "MESSAGE",
        "UPDATE" => "UPDATE",
        _ => null,
    };

    /// <summary>As <see cref="InternMethod(ReadOnlySpan{char})"/> for ASCII bytes.</summary>
    internal static string? InternMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 => method.SequenceEqual("ACK"u8) ? "ACK" : method.SequenceEqual("BYE"u8) ? "BYE" : null,
        4 => method.SequenceEqual("INFO"u8) ? "INFO" : null,
        5 => method.SequenceEqual("PRACK"u8) ? "PRACK" : method.SequenceEqual("REFER"u8) ? "REFER" : null,
        6 => method.SequenceEqual("INVITE"u8) ? "INVITE" : method.SequenceEqual("CANCEL"u8) ? "CANCEL" : method.SequenceEqual("NOTIFY"u8) ? "NOTIFY" :
            method.SequenceEqual("UPDATE"u8) ? "UPDATE" : null,
        7 => method.SequenceEqual("OPTIONS"u8) ? "OPTIONS" : method.SequenceEqual("PUBLISH"u8) ? "PUBLISH" : method.SequenceEqual("MESSAGE"u8) ? "MESSAGE" : null,
        8 => method.SequenceEqual("REGISTER"u8) ? "REGISTER" : null,
        9 => method.SequenceEqual("SUBSCRIBE"u8) ? "SUBSCRIBE" : null,
        _ => null,
    };

    internal override void Validate()
    {
        base.Validate();
        Span<char> buffer = stackalloc char[256];
        var cseq = ValueChars(IndexOf(SipHeaderId.CSeq, SipHeaderNames.CSeq), buffer, out var rented);
        try
        {
            SipCSeq.Validate(cseq, out var method);
            if (!method.SequenceEqual(Method))
            {
                throw new SipParseException(SipHeaderNames.CSeq, $"method {method.ToString()} does not match request method {Method}");
            }
        }
        finally
        {
            ReturnRented(rented);
        }
    }
}
