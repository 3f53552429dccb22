namespace Pipeline.Interop.Tests.Peers;

/// <summary>A/AAAA records for one name served by <see cref="DnsmasqPeer"/> (dnsmasq --host-record).</summary>
/// <param name="Name">Host name.</param>
/// <param name="IPv4">A record address, or null.</param>
/// <param name="IPv6">AAAA record address, or null.</param>
internal sealed record DnsHostRecord(string Name, string? IPv4 = "127.0.0.1", string? IPv6 = null);
