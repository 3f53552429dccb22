namespace Pipeline.Sip.Transport;

/// <summary>A SIP transport protocol (RFC 3261 §18): what an endpoint uses for the requests it sends by default.</summary>
public enum SipTransportKind
{
    /// <summary>UDP; requests over 1300 bytes still switch to TCP (RFC 3261 §18.1.1).</summary>
    Udp,

    /// <summary>TCP, framed by Content-Length.</summary>
    Tcp,

    /// <summary>TLS over TCP (RFC 3261 §26.2, RFC 5630).</summary>
    Tls,
}
