using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>dnsmasq serves the NAPTR/SRV/A records given in its options (checked with DnsClient).</summary>
public sealed class DnsmasqPeerTests
{
    [SkippableFact]
    public async Task Dnsmasq_answers_naptr_srv_and_a_queries_from_its_options()
    {
        await using var dns = await DnsmasqPeer.StartAsync(new DnsmasqOptions
        {
            Naptr =
            [
                new("example.test", 10, 50, "s", "SIP+D2T", "_sip._tcp.example.test"),
                new("example.test", 20, 50, "s", "SIP+D2U", "_sip._udp.example.test"),
            ],
            Srv =
            [
                new("_sip._udp.example.test", "sip1.example.test", 5070, 10, 60),
                new("_sip._tcp.example.test", "sip2.example.test", 5071, 20, 0),
            ],
            Hosts = [new("sip1.example.test", "127.0.0.1"), new("sip2.example.test", "127.0.0.2", "::1")],
            Ttl = 42,
        });
        var client = new LookupClient(new LookupClientOptions(dns.EndPoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1 });

        var naptr = await client.QueryAsync("example.test", QueryType.NAPTR);
        var naptrs = naptr.Answers.OfType<NAPtrRecord>().OrderBy(r => r.Order).ToList();
        Assert.True(naptrs.Count == 2, dns.Describe());
        Assert.Equal("SIP+D2T", naptrs[0].Services);
        Assert.Equal("s", naptrs[0].Flags, ignoreCase: true);
        Assert.Equal("_sip._tcp.example.test.", naptrs[0].Replacement.Value);
        Assert.Equal(20, naptrs[1].Order);

        var srv = (await client.QueryAsync("_sip._udp.example.test", QueryType.SRV)).Answers.SrvRecords().Single();
        Assert.Equal(("sip1.example.test.", 5070, 10, 60), (srv.Target.Value, (int)srv.Port, (int)srv.Priority, (int)srv.Weight));

        var a = (await client.QueryAsync("sip2.example.test", QueryType.A)).Answers.ARecords().Single();
        Assert.Equal(IPAddress.Parse("127.0.0.2"), a.Address);
        Assert.Equal(42, a.InitialTimeToLive);
        var aaaa = (await client.QueryAsync("sip2.example.test", QueryType.AAAA)).Answers.AaaaRecords().Single();
        Assert.Equal(IPAddress.IPv6Loopback, aaaa.Address);

        var missing = await client.QueryAsync("nothere.example.test", QueryType.A);
        Assert.Empty(missing.Answers);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);
        await dns.Process.WaitForLineAsync("query[NAPTR] example.test", TimeSpan.FromSeconds(5)); // log-queries (written asynchronously)
    }

    [Fact]
    public void Config_lists_every_record_in_dnsmasq_syntax()
    {
        var conf = DnsmasqPeer.BuildConfig(
            new DnsmasqOptions
            {
                Naptr = [new("example.test", 10, 50, "s", "SIP+D2U", "_sip._udp.example.test")],
                Srv = [new("_sip._udp.example.test", "sip1.example.test", 5070, 1, 2)],
                Hosts = [new("sip1.example.test", "127.0.0.1")],
            },
            5353,
            "/tmp/x");
        Assert.Contains("port=5353\n", conf, StringComparison.Ordinal);
        Assert.Contains("naptr-record=example.test,10,50,s,SIP+D2U,,_sip._udp.example.test\n", conf, StringComparison.Ordinal);
        Assert.Contains("srv-host=_sip._udp.example.test,sip1.example.test,5070,1,2\n", conf, StringComparison.Ordinal);
        Assert.Contains("host-record=sip1.example.test,127.0.0.1,60\n", conf, StringComparison.Ordinal);
        Assert.Contains("local=/example.test/\n", conf, StringComparison.Ordinal);
    }
}
