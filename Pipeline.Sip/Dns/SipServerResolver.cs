using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Resolution;

/// <summary>
/// Finds the servers for a SIP URI as RFC 3263 §4 says, using DNS (the DnsClient package):
/// <code>
///  host is an IP            -> that IP, port or default, transport param or UDP (TLS for sips)
///  port given               -> A/AAAA of host, that port
///  transport param given    -> SRV _sip._udp|_sip._tcp|_sips._tcp.host -> A/AAAA   (no SRV: A/AAAA, default port)
///  otherwise                -> NAPTR host (SIP+D2U, SIP+D2T, SIPS+D2T; order, preference)
///                                -> SRV of each replacement -> A/AAAA
///                              no usable NAPTR: SRV for each supported transport -> A/AAAA
///                              no SRV either:   A/AAAA of host, 5060 (UDP) / 5061 (TLS for sips)
/// </code>
/// SRV records are ordered by priority, then by RFC 2782's weighted random choice. Answers are cached
/// for their TTL. The result is an ordered list of <see cref="SipServerTarget"/>s to try one after
/// another (<see cref="SipTargetList"/>, RFC 3263 §4.3: next target on timeout, transport error or 503).
/// Thread-safe.
/// </summary>
public sealed class SipServerResolver
{
    private readonly SipServerResolverOptions _options;
    private readonly LookupClient _client;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Name, QueryType Type), CacheEntry> _cache = new();
    private long _queriesSent;

    /// <summary>Creates a resolver; <paramref name="options"/> null means the system's DNS servers and default timeouts.</summary>
    public SipServerResolver(SipServerResolverOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new SipServerResolverOptions();
        if (_options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Timeout, "SipServerResolverOptions.Timeout must be positive");
        }

        if (_options.Retries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Retries, "SipServerResolverOptions.Retries must not be negative");
        }

        if (_options.Transports.Count == 0)
        {
            throw new ArgumentException("SipServerResolverOptions.Transports must name at least one transport", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        var lookupOptions = _options.NameServers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions([.. _options.NameServers.Select(e => new NameServer(e))]);
        lookupOptions.UseCache = false; // cached here, by TTL, with our clock
        lookupOptions.Timeout = _options.Timeout;
        lookupOptions.Retries = _options.Retries;
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.UseTcpFallback = true;
        lookupOptions.ContinueOnDnsError = true;
        lookupOptions.ContinueOnEmptyResponse = false;
        _client = new LookupClient(lookupOptions);
    }

    /// <summary>DNS queries sent so far (cache hits are not counted).</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    /// <summary>Random source for the weighted SRV choice (tests make it deterministic).</summary>
    internal Random Random { get; set; } = Random.Shared;

    /// <summary>Forgets every cached answer.</summary>
    public void ClearCache() => _cache.Clear();

    /// <summary>Resolves <paramref name="uri"/> (a sip: or sips: URI; its user part is ignored).</summary>
    public Task<IReadOnlyList<SipServerTarget>> ResolveAsync(SipUri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return ResolveAsync(uri.Host, uri.Port, ParseTransport(uri.GetParameter("transport"), uri), uri.IsSecure, cancellationToken);
    }

    /// <summary>Resolves a URI given as text ("sip:example.com", "sips:example.com:5061", "sip:10.0.0.1;transport=tcp").</summary>
    public Task<IReadOnlyList<SipServerTarget>> ResolveAsync(string uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!SipUri.TryParse(uri, out var parsed))
        {
            throw new ArgumentException($"'{uri}' is not a SIP URI", nameof(uri));
        }

        return ResolveAsync(parsed, cancellationToken);
    }

    /// <summary>
    /// Resolves the parts of a SIP URI: <paramref name="host"/> (name or IP, IPv6 with or without
    /// brackets), optional <paramref name="port"/>, optional <paramref name="transport"/> (the URI's
    /// transport parameter), and whether it is a sips: URI (TLS only).
    /// </summary>
    /// <returns>The targets in the order to try them; never empty.</returns>
    /// <exception cref="SipDnsException">A query failed (timeout, refused…) or nothing resolved to an address; the message names the DNS name.</exception>
    public async Task<IReadOnlyList<SipServerTarget>> ResolveAsync(string host, int? port, SipTransportKind? transport, bool secure, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "port must be 1-65535");
        }

        if (secure && transport is SipTransportKind.Udp)
        {
            throw new ArgumentException("a sips: URI cannot use transport=udp (RFC 3261 §26.2.2: TLS only)", nameof(transport));
        }

        var name = host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        if (secure)
        {
            transport = SipTransportKind.Tls;
        }

        // §4.1: a numeric host needs no DNS.
        if (IPAddress.TryParse(name, out var ip))
        {
            var t = transport ?? SipTransportKind.Udp;
            return [new SipServerTarget(t, new IPEndPoint(ip, port ?? DefaultPort(t)), ip.ToString(), 0, 0, SipTargetSource.NumericAddress)];
        }

        name = name.TrimEnd('.').ToLowerInvariant();
        var results = new List<SipServerTarget>();

        // §4.1/4.2: a port means A/AAAA only.
        if (port is not null)
        {
            var t = transport ?? SipTransportKind.Udp;
            await AddAddressesAsync(results, name, t, port.Value, 0, 0, SipTargetSource.AddressRecord, cancellationToken).ConfigureAwait(false);
            return Finish(results, host, "no A/AAAA records for " + name);
        }

        // Transport known: SRV for it.
        if (transport is not null)
        {
            if (!await AddSrvAsync(results, SrvName(transport.Value, name), transport.Value, SipTargetSource.Srv, cancellationToken).ConfigureAwait(false))
            {
                await AddAddressesAsync(results, name, transport.Value, DefaultPort(transport.Value), 0, 0, SipTargetSource.DefaultPort, cancellationToken).ConfigureAwait(false);
            }

            return Finish(results, host, $"no SRV records for {SrvName(transport.Value, name)} and no A/AAAA records for {name}");
        }

        // NAPTR.
        var naptrs = await QueryAsync(name, QueryType.NAPTR, cancellationToken).ConfigureAwait(false);
        var usable = new List<(int Order, int Preference, SipTransportKind Transport, string Replacement)>();
        foreach (var r in naptrs)
        {
            if (r is NAPtrRecord n
                && string.Equals(n.Flags, "s", StringComparison.OrdinalIgnoreCase)
                && TryParseService(n.Services, out var t)
                && (!secure || t == SipTransportKind.Tls)
                && Supports(t))
            {
                usable.Add((n.Order, n.Preference, t, TrimDot(n.Replacement.Value)));
            }
        }

        if (usable.Count > 0)
        {
            usable.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : a.Preference.CompareTo(b.Preference));
            foreach (var n in usable)
            {
                await AddSrvAsync(results, n.Replacement, n.Transport, SipTargetSource.Naptr, cancellationToken).ConfigureAwait(false);
            }

            if (results.Count > 0)
            {
                return Finish(results, host, string.Empty);
            }

            _logger.LogDebug("NAPTR records of {Name} led to no address; falling back to SRV", name);
        }

        // No usable NAPTR: SRV for each supported transport, in our preference order.
        foreach (var t in _options.Transports)
        {
            if (!secure || t == SipTransportKind.Tls)
            {
                await AddSrvAsync(results, SrvName(t, name), t, SipTargetSource.Srv, cancellationToken).ConfigureAwait(false);
            }
        }

        if (results.Count == 0)
        {
            var t = secure ? SipTransportKind.Tls : SipTransportKind.Udp;
            await AddAddressesAsync(results, name, t, DefaultPort(t), 0, 0, SipTargetSource.DefaultPort, cancellationToken).ConfigureAwait(false);
        }

        return Finish(results, host, $"no usable NAPTR or SRV records and no A/AAAA records for {name}");
    }

    /// <summary>Resolves <paramref name="uri"/> into a <see cref="SipTargetList"/> to walk on failures.</summary>
    public async Task<SipTargetList> ResolveTargetsAsync(SipUri uri, CancellationToken cancellationToken = default)
        => new(await ResolveAsync(uri, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Orders SRV records per RFC 2782: ascending priority; within a priority, repeatedly pick by
    /// weight (running sums over the remaining records with weight-0 records first, a random number in
    /// [0, sum], the first record whose running sum reaches it).
    /// </summary>
    internal static List<SrvRecord> OrderSrv(IReadOnlyList<SrvRecord> records, Random random)
    {
        var byPriority = new SortedDictionary<int, List<SrvRecord>>();
        foreach (var r in records)
        {
            if (!byPriority.TryGetValue(r.Priority, out var list))
            {
                byPriority[r.Priority] = list = [];
            }

            list.Add(r);
        }

        var ordered = new List<SrvRecord>(records.Count);
        foreach (var group in byPriority.Values)
        {
            var remaining = new List<SrvRecord>(group.Count);
            remaining.AddRange(group.Where(r => r.Weight == 0));
            remaining.AddRange(group.Where(r => r.Weight != 0));
            while (remaining.Count > 0)
            {
                var sum = 0;
                foreach (var r in remaining)
                {
                    sum += r.Weight;
                }

                var pick = random.Next(sum + 1);
                var running = 0;
                var chosen = remaining.Count - 1;
                for (var i = 0; i < remaining.Count; i++)
                {
                    running += remaining[i].Weight;
                    if (running >= pick)
                    {
                        chosen = i;
                        break;
                    }
                }

                ordered.Add(remaining[chosen]);
                remaining.RemoveAt(chosen);
            }
        }

        return ordered;
    }

    private static IReadOnlyList<SipServerTarget> Finish(List<SipServerTarget> results, string host, string whyEmpty)
    {
        if (results.Count == 0)
        {
            throw new SipDnsException(host, null, $"cannot resolve SIP server {host}: {whyEmpty}");
        }

        // The same transport+address may come from several records; keep the first (best) one.
        var seen = new HashSet<(SipTransportKind, IPEndPoint)>();
        var unique = new List<SipServerTarget>(results.Count);
        foreach (var t in results)
        {
            if (seen.Add((t.Transport, t.EndPoint)))
            {
                unique.Add(t);
            }
        }

        return unique;
    }

    private static SipTransportKind? ParseTransport(string? value, SipUri uri) => value?.ToLowerInvariant() switch
    {
        null => null,
        "udp" => SipTransportKind.Udp,
        "tcp" => SipTransportKind.Tcp,
        "tls" => SipTransportKind.Tls,
        _ => throw new ArgumentException($"{uri}: transport '{value}' is not supported (udp, tcp, tls)", nameof(uri)),
    };

    private static bool TryParseService(string services, out SipTransportKind transport)
    {
        switch (services.ToUpperInvariant())
        {
            case "SIP+D2U":
                transport = SipTransportKind.Udp;
                return true;
            case "SIP+D2T":
                transport = SipTransportKind.Tcp;
                return true;
            case "SIPS+D2T":
                transport = SipTransportKind.Tls;
                return true;
            default:
                transport = default;
                return false;
        }
    }

    private static string SrvName(SipTransportKind t, string domain) => t switch
    {
        SipTransportKind.Udp => "_sip._udp." + domain,
        SipTransportKind.Tcp => "_sip._tcp." + domain,
        _ => "_sips._tcp." + domain,
    };

    private static int DefaultPort(SipTransportKind t) => t == SipTransportKind.Tls ? 5061 : 5060;

    private static string TrimDot(string name) => name.TrimEnd('.').ToLowerInvariant();

    private bool Supports(SipTransportKind t)
    {
        foreach (var s in _options.Transports)
        {
            if (s == t)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>SRV lookup of <paramref name="srvName"/>, then A/AAAA of each target in RFC 2782 order. False when there were no SRV records.</summary>
    private async Task<bool> AddSrvAsync(List<SipServerTarget> results, string srvName, SipTransportKind transport, SipTargetSource source, CancellationToken cancellationToken)
    {
        var records = await QueryAsync(srvName, QueryType.SRV, cancellationToken).ConfigureAwait(false);
        var srv = new List<SrvRecord>();
        foreach (var r in records)
        {
            // A target of "." means: the service is decidedly not available at this domain (RFC 2782).
            if (r is SrvRecord s && TrimDot(s.Target.Value).Length > 0)
            {
                srv.Add(s);
            }
        }

        if (srv.Count == 0)
        {
            return false;
        }

        foreach (var s in OrderSrv(srv, Random))
        {
            await AddAddressesAsync(results, TrimDot(s.Target.Value), transport, s.Port, s.Priority, s.Weight, source, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private async Task AddAddressesAsync(List<SipServerTarget> results, string host, SipTransportKind transport, int port, int priority, int weight, SipTargetSource source, CancellationToken cancellationToken)
    {
        foreach (var r in await QueryAsync(host, QueryType.A, cancellationToken).ConfigureAwait(false))
        {
            if (r is ARecord a)
            {
                results.Add(new SipServerTarget(transport, new IPEndPoint(a.Address, port), host, priority, weight, source));
            }
        }

        if (_options.UseIPv6)
        {
            foreach (var r in await QueryAsync(host, QueryType.AAAA, cancellationToken).ConfigureAwait(false))
            {
                if (r is AaaaRecord a && a.Address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    results.Add(new SipServerTarget(transport, new IPEndPoint(a.Address, port), host, priority, weight, source));
                }
            }
        }
    }

    /// <summary>One DNS query (through the TTL cache). Empty for NXDOMAIN/no data; throws <see cref="SipDnsException"/> on timeouts and server errors.</summary>
    private async Task<IReadOnlyList<DnsResourceRecord>> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_options.UseCache && _cache.TryGetValue((name, type), out var cached) && cached.Expires > now)
        {
            return cached.Records;
        }

        IDnsQueryResponse response;
        Interlocked.Increment(ref _queriesSent);
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            throw new SipDnsException(name, type.ToString(), $"DNS {type} query for {name} failed: {ex.Message} ({ex.Code})", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SipDnsException(name, type.ToString(), $"DNS {type} query for {name} timed out after {_options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }

        var code = response.Header.ResponseCode;
        if (response.HasError && code != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new SipDnsException(name, type.ToString(), $"DNS {type} query for {name} failed: {code} ({response.ErrorMessage}) from {response.NameServer}");
        }

        var records = new List<DnsResourceRecord>();
        var minTtl = int.MaxValue;
        foreach (var r in response.Answers)
        {
            if (r.RecordType == (ResourceRecordType)type)
            {
                records.Add(r);
                minTtl = Math.Min(minTtl, r.TimeToLive);
            }
        }

        _logger.LogDebug("DNS {Type} {Name}: {Count} records ({Code})", type, name, records.Count, code);
        if (_options.UseCache)
        {
            var ttl = records.Count == 0 ? _options.NegativeCacheTtl : TimeSpan.FromSeconds(Math.Max(0, minTtl));
            if (ttl > _options.MaximumCacheTtl)
            {
                ttl = _options.MaximumCacheTtl;
            }

            if (ttl > TimeSpan.Zero)
            {
                _cache[(name, type)] = new CacheEntry(records, now + ttl);
            }
            else
            {
                _cache.TryRemove((name, type), out _);
            }
        }

        return records;
    }

    private sealed record CacheEntry(IReadOnlyList<DnsResourceRecord> Records, DateTimeOffset Expires);
}
