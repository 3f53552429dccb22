using System.Net;

namespace Pipeline.Sip.Resolution;

/// <summary>Settings of a <see cref="SipServerResolver"/>.</summary>
public sealed class SipServerResolverOptions
{
    /// <summary>DNS servers to ask (e.g. a test server on 127.0.0.1:PORT); empty: the system's resolvers (/etc/resolv.conf).</summary>
    public IReadOnlyList<IPEndPoint> NameServers { get; init; } = [];

    /// <summary>Time to wait for one DNS answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of a query that timed out (per server).</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Transports this endpoint can use, in the order it prefers them when DNS has no NAPTR to decide.</summary>
    public IReadOnlyList<SipTransportKind> Transports { get; init; } = [SipTransportKind.Udp, SipTransportKind.Tcp, SipTransportKind.Tls];

    /// <summary>Also query AAAA records (IPv6 targets follow the IPv4 ones of the same host).</summary>
    public bool UseIPv6 { get; init; } = true;

    /// <summary>Keep answers for their TTL (the smallest TTL of the records of one answer).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>How long an empty answer (NXDOMAIN or no records of that type) is cached.</summary>
    public TimeSpan NegativeCacheTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound on any cached TTL.</summary>
    public TimeSpan MaximumCacheTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Clock for cache expiry (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
