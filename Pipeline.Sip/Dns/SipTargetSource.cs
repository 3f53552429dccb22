namespace Pipeline.Sip.Resolution;

/// <summary>Which RFC 3263 step produced a <see cref="SipServerTarget"/>.</summary>
public enum SipTargetSource
{
    /// <summary>The URI's host was an IP address: no DNS at all.</summary>
    NumericAddress,

    /// <summary>The URI gave a port: A/AAAA of its host with that port.</summary>
    AddressRecord,

    /// <summary>NAPTR → SRV → A/AAAA.</summary>
    Naptr,

    /// <summary>SRV (no usable NAPTR, or the URI named the transport) → A/AAAA.</summary>
    Srv,

    /// <summary>No SRV records: A/AAAA of the host with the transport's default port.</summary>
    DefaultPort,
}
