namespace Pipeline.Interop.Tests.Peers;

/// <summary>An SRV record served by <see cref="DnsmasqPeer"/> (dnsmasq --srv-host), e.g. <c>new("_sip._udp.example.test", "sip1.example.test", 5060)</c>.</summary>
/// <param name="Name">Owner name: _service._proto.domain.</param>
/// <param name="Target">Target host (needs a <see cref="DnsHostRecord"/> to resolve).</param>
/// <param name="Port">Target port.</param>
/// <param name="Priority">Priority (lower first).</param>
/// <param name="Weight">Weight among equal priorities.</param>
internal sealed record DnsSrvRecord(string Name, string Target, int Port, int Priority = 10, int Weight = 10);
