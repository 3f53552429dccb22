using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Resolution;

namespace Pipeline.Sip.Tests.Resolution;

/// <summary>RFC 3263 resolution against a real DNS server (dnsmasq on loopback).</summary>
public sealed class SipServerResolverTests
{
    private static readonly string[] SiteRecords =
    [
        "naptr-record=example.test,10,50,s,SIP+D2T,,_sip._tcp.example.test",
        "naptr-record=example.test,20,50,s,SIP+D2U,,_sip._udp.example.test",
        "naptr-record=example.test,30,50,s,SIPS+D2T,,_sips._tcp.example.test",
        "srv-host=_sip._tcp.example.test,tcp1.example.test,5070,10,10",
        "srv-host=_sip._udp.example.test,udp-primary.example.test,5080,10,10",
        "srv-host=_sip._udp.example.test,udp-backup.example.test,5081,20,10",
        "srv-host=_sips._tcp.example.test,tls1.example.test,5071,10,10",
        "host-record=tcp1.example.test,127.0.0.10",
        "host-record=udp-primary.example.test,127.0.0.11,::1",
        "host-record=udp-backup.example.test,127.0.0.12",
        "host-record=tls1.example.test,127.0.0.13",
        // SRV only, no NAPTR
        "srv-host=_sip._udp.srvonly.example.test,s1.example.test,6000,10,10",
        "srv-host=_sip._tcp.srvonly.example.test,s1.example.test,6001,10,10",
        "host-record=s1.example.test,127.0.0.20",
        // A only
        "host-record=plain.example.test,127.0.0.30",
    ];

    [SkippableFact]
    public async Task Naptr_order_then_srv_priority_gives_the_target_order()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var resolver = Resolver(dns);

        var targets = await resolver.ResolveAsync("sip:example.test");

        Assert.Equal(
            [
                "tcp 127.0.0.10:5070",
                "udp 127.0.0.11:5080",
                "udp [::1]:5080",
                "udp 127.0.0.12:5081",
                "tls 127.0.0.13:5071",
            ],
            targets.Select(t => $"{t.Transport.ToString().ToLowerInvariant()} {t.EndPoint}").ToArray());
        Assert.All(targets, t => Assert.Equal(SipTargetSource.Naptr, t.Source));
        Assert.Equal("udp-backup.example.test", targets[3].HostName);
        Assert.Equal(20, targets[3].Priority);
    }

    [SkippableFact]
    public async Task Sips_uri_uses_only_the_sips_naptr_service()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var targets = await Resolver(dns).ResolveAsync("sips:example.test");

        var only = Assert.Single(targets);
        Assert.Equal(SipTransportKind.Tls, only.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.13"), 5071), only.EndPoint);
    }

    [SkippableFact]
    public async Task Transport_parameter_skips_naptr_and_queries_that_srv()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var targets = await Resolver(dns, ipv6: false).ResolveAsync("sip:example.test;transport=udp");

        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.11"), 5080), new IPEndPoint(IPAddress.Parse("127.0.0.12"), 5081)], targets.Select(t => t.EndPoint).ToArray());
        Assert.All(targets, t => Assert.Equal(SipTargetSource.Srv, t.Source));
        Assert.DoesNotContain("query[NAPTR]", dns.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Without_naptr_srv_records_of_each_supported_transport_are_used()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var targets = await Resolver(dns).ResolveAsync("sip:srvonly.example.test");

        Assert.Equal(
            [(SipTransportKind.Udp, 6000), (SipTransportKind.Tcp, 6001)],
            targets.Select(t => (t.Transport, t.EndPoint.Port)).ToArray());
        Assert.All(targets, t => Assert.Equal(IPAddress.Parse("127.0.0.20"), t.EndPoint.Address));
    }

    [SkippableFact]
    public async Task Without_naptr_and_srv_the_a_record_and_default_port_are_used()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var resolver = Resolver(dns);

        var sip = Assert.Single(await resolver.ResolveAsync("sip:plain.example.test"));
        Assert.Equal((SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("127.0.0.30"), 5060), SipTargetSource.DefaultPort), (sip.Transport, sip.EndPoint, sip.Source));

        var sips = Assert.Single(await resolver.ResolveAsync("sips:plain.example.test"));
        Assert.Equal((SipTransportKind.Tls, 5061), (sips.Transport, sips.EndPoint.Port));
    }

    [SkippableFact]
    public async Task Explicit_port_means_address_records_only()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var targets = await Resolver(dns).ResolveAsync("sip:udp-primary.example.test:7000;transport=tcp");

        Assert.Equal(
            [new IPEndPoint(IPAddress.Parse("127.0.0.11"), 7000), new IPEndPoint(IPAddress.IPv6Loopback, 7000)],
            targets.Select(t => t.EndPoint).ToArray());
        Assert.All(targets, t => Assert.Equal((SipTransportKind.Tcp, SipTargetSource.AddressRecord), (t.Transport, t.Source)));
        Assert.DoesNotContain("query[SRV]", dns.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numeric_hosts_need_no_dns()
    {
        // No server at all: any query would fail.
        var resolver = new SipServerResolver(new SipServerResolverOptions { NameServers = [new IPEndPoint(IPAddress.Loopback, 9)], Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });

        var udp = Assert.Single(await resolver.ResolveAsync("sip:192.0.2.7"));
        Assert.Equal((SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5060), SipTargetSource.NumericAddress), (udp.Transport, udp.EndPoint, udp.Source));
        var tls = Assert.Single(await resolver.ResolveAsync("sips:192.0.2.7"));
        Assert.Equal((SipTransportKind.Tls, 5061), (tls.Transport, tls.EndPoint.Port));
        var v6 = Assert.Single(await resolver.ResolveAsync("[2001:db8::1]", 5070, SipTransportKind.Tcp, secure: false));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5070), v6.EndPoint);
        Assert.Equal(0, resolver.QueriesSent);
    }

    [SkippableFact]
    public async Task Unknown_domain_throws_naming_the_host()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords);
        var ex = await Assert.ThrowsAsync<SipDnsException>(() => Resolver(dns).ResolveAsync("sip:nowhere.example.test"));

        Assert.Equal("nowhere.example.test", ex.Name);
        Assert.Contains("nowhere.example.test", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_dns_server_times_out_with_the_query_name()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never answers
        var resolver = new SipServerResolver(new SipServerResolverOptions { NameServers = [(IPEndPoint)silent.LocalEndPoint!], Timeout = TimeSpan.FromMilliseconds(300), Retries = 0 });

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<SipDnsException>(() => resolver.ResolveAsync("sip:example.test"));

        Assert.Equal(("example.test", "NAPTR"), (ex.Name, ex.QueryType));
        Assert.Contains("example.test", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [SkippableFact]
    public async Task Answers_are_cached_for_their_ttl()
    {
        await using var dns = await LocalDnsServer.StartAsync(SiteRecords, ttl: 30);
        var clock = new TestClock();
        var resolver = new SipServerResolver(new SipServerResolverOptions { NameServers = [dns.EndPoint], TimeProvider = clock, UseIPv6 = false });

        var first = await resolver.ResolveAsync("sip:plain.example.test:5060");
        var afterFirst = resolver.QueriesSent;
        clock.Advance(TimeSpan.FromSeconds(29));
        var second = await resolver.ResolveAsync("sip:plain.example.test:5060");
        Assert.Equal(afterFirst, resolver.QueriesSent);
        Assert.Equal(first, second);

        clock.Advance(TimeSpan.FromSeconds(2));
        await resolver.ResolveAsync("sip:plain.example.test:5060");
        Assert.Equal(afterFirst + 1, resolver.QueriesSent);
    }

    [Fact]
    public void Srv_order_is_by_priority_then_weighted_random()
    {
        var records = new[] { Srv("a", 20, 0), Srv("heavy", 10, 90), Srv("light", 10, 10), Srv("zero", 10, 0) };
        var random = new Random(1234);
        var firstCounts = new Dictionary<string, int>();
        for (var i = 0; i < 2000; i++)
        {
            var ordered = SipServerResolver.OrderSrv(records, random);
            Assert.Equal(4, ordered.Count);
            Assert.Equal("a.example.test.", ordered[3].Target.Value); // priority 20 always last
            var first = ordered[0].Target.Value;
            firstCounts[first] = firstCounts.GetValueOrDefault(first) + 1;
        }

        // Weights 90/10/0: heavy first about 90/101 of the time, light about 10/101, zero rarely (1/101).
        Assert.InRange(firstCounts.GetValueOrDefault("heavy.example.test."), 1650, 1900);
        Assert.InRange(firstCounts.GetValueOrDefault("light.example.test."), 100, 300);
        Assert.InRange(firstCounts.GetValueOrDefault("zero.example.test."), 1, 60);
    }

    [Fact]
    public void Target_list_moves_on_after_timeout_or_503_but_not_after_a_final_answer()
    {
        var list = new SipTargetList([T(5060), T(5061), T(5062)]);
        Assert.Null(list.Current);
        Assert.True(list.MoveNext());
        Assert.Equal(5060, list.Current!.EndPoint.Port);

        Assert.Null(list.NextAfterFailure(486));
        Assert.Equal(5060, list.Current!.EndPoint.Port);
        Assert.Equal(5061, list.NextAfterFailure(503)!.EndPoint.Port);
        Assert.Equal(5062, list.NextAfterFailure(null)!.EndPoint.Port);
        Assert.Equal(0, list.Remaining);
        Assert.Null(list.NextAfterFailure(503));
        Assert.Null(list.Current);

        list.Reset();
        Assert.True(list.MoveNext());
        Assert.Equal(5060, list.Current!.EndPoint.Port);
    }

    [Fact]
    public async Task Bad_input_is_rejected_with_a_message()
    {
        var resolver = new SipServerResolver(new SipServerResolverOptions { NameServers = [new IPEndPoint(IPAddress.Loopback, 9)] });
        var udpSips = await Assert.ThrowsAsync<ArgumentException>(() => resolver.ResolveAsync("example.test", null, SipTransportKind.Udp, secure: true));
        Assert.Contains("sips", udpSips.Message, StringComparison.Ordinal);
        var sctp = await Assert.ThrowsAsync<ArgumentException>(() => resolver.ResolveAsync(SipUri.Parse("sip:example.test;transport=sctp")));
        Assert.Contains("sctp", sctp.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerResolver(new SipServerResolverOptions { Timeout = TimeSpan.Zero }));
    }

    private static SipServerResolver Resolver(LocalDnsServer dns, bool ipv6 = true)
        => new(new SipServerResolverOptions { NameServers = [dns.EndPoint], Timeout = TimeSpan.FromSeconds(2), UseIPv6 = ipv6 }) { Random = new Random(7) };

    private static SrvRecord Srv(string target, int priority, int weight)
        => new(new ResourceRecordInfo("_sip._udp.example.test.", ResourceRecordType.SRV, QueryClass.IN, 60, 0), (ushort)priority, (ushort)weight, 5060, DnsString.Parse(target + ".example.test."));

    private static SipServerTarget T(int port) => new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, port), "x", 0, 0, SipTargetSource.NumericAddress);
}
