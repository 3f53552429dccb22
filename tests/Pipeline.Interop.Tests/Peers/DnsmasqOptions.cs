namespace Pipeline.Interop.Tests.Peers;

/// <summary>What one <see cref="DnsmasqPeer"/> serves and where.</summary>
internal sealed class DnsmasqOptions
{
    /// <summary>
    /// Domains dnsmasq is authoritative for (--local=/DOMAIN/): names in them without a record get
    /// NXDOMAIN / an empty answer at once instead of a forwarding attempt.
    /// </summary>
    public IReadOnlyList<string> LocalDomains { get; init; } = ["example.test"];

    /// <summary>NAPTR records.</summary>
    public IReadOnlyList<DnsNaptrRecord> Naptr { get; init; } = [];

    /// <summary>SRV records.</summary>
    public IReadOnlyList<DnsSrvRecord> Srv { get; init; } = [];

    /// <summary>A/AAAA records.</summary>
    public IReadOnlyList<DnsHostRecord> Hosts { get; init; } = [];

    /// <summary>TTL of the served records in seconds (--local-ttl; dnsmasq's default is 0).</summary>
    public int Ttl { get; init; } = 60;

    /// <summary>UDP/TCP port on 127.0.0.1; null: a free one is picked (re-picked if taken).</summary>
    public int? Port { get; init; }

    /// <summary>Extra lines appended to the generated dnsmasq.conf.</summary>
    public IReadOnlyList<string> ExtraConfigLines { get; init; } = [];

    /// <summary>Name in messages.</summary>
    public string Name { get; init; } = "dnsmasq";
}
