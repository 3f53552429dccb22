namespace Pipeline.Sip.Resolution;

/// <summary>
/// Transport of a resolved SIP server target (RFC 3263): what NAPTR services SIP+D2U, SIP+D2T and
/// SIPS+D2T and the SRV names _sip._udp, _sip._tcp and _sips._tcp stand for.
/// </summary>
public enum SipTransportKind
{
    /// <summary>UDP (default port 5060).</summary>
    Udp,

    /// <summary>TCP (default port 5060).</summary>
    Tcp,

    /// <summary>TLS over TCP (default port 5061; the only transport of a sips: URI).</summary>
    Tls,
}
