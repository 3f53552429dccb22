using System.Globalization;
using System.Net;

namespace Pipeline.Sip.Resolution;

/// <summary>
/// One place to send a SIP request, as RFC 3263 resolution found it: transport, address and port, and
/// where it came from (SRV priority/weight and the host name the address belongs to). Targets come in
/// the order to try them (see <see cref="SipTargetList"/>).
/// </summary>
/// <param name="Transport">Transport to use.</param>
/// <param name="EndPoint">IP address and port.</param>
/// <param name="HostName">Host the address was resolved from: the SRV target, or the URI host (the IP text for a numeric URI). Note: RFC 5922 validates a TLS certificate against the URI's domain, not this name.</param>
/// <param name="Priority">SRV priority (0 when not from SRV).</param>
/// <param name="Weight">SRV weight (0 when not from SRV).</param>
/// <param name="Source">Which resolution step produced it.</param>
public sealed record SipServerTarget(SipTransportKind Transport, IPEndPoint EndPoint, string HostName, int Priority, int Weight, SipTargetSource Source)
{
    /// <summary>"udp 192.0.2.1:5060 (sip1.example.test, srv 10/60)".</summary>
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{Transport.ToString().ToLowerInvariant()} {EndPoint} ({HostName}{(Source is SipTargetSource.Srv or SipTargetSource.Naptr ? $", srv {Priority}/{Weight}" : string.Empty)})");
}
