using System.Net;
using Pipeline.Sip.Resolution;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// The pieces of the disaster-recovery tests together, without our SIP stack: dnsmasq publishes a
/// primary and a backup kamailio site under one domain (NAPTR → SRV priorities 10/20), the RFC 3263
/// resolver orders them, and when the primary is stopped the target list moves on to the backup.
/// </summary>
public sealed class SiteFailoverHarnessTests
{
    [SkippableFact]
    public async Task Srv_published_sites_fail_over_to_the_backup_when_the_primary_stops()
    {
        Tools.Require("kamailio");
        Tools.Require("dnsmasq");
        await using var primary = await KamailioPeer.StartAsync(new KamailioOptions { Name = "kamailio primary" });
        await using var backup = await KamailioPeer.StartAsync(new KamailioOptions { Name = "kamailio backup" });
        await using var dns = await DnsmasqPeer.StartAsync(new DnsmasqOptions
        {
            Naptr = [new("example.test", 10, 50, "s", "SIP+D2U", "_sip._udp.example.test")],
            Srv =
            [
                new("_sip._udp.example.test", "primary.example.test", primary.Port, Priority: 10),
                new("_sip._udp.example.test", "backup.example.test", backup.Port, Priority: 20),
            ],
            Hosts = [new("primary.example.test", "127.0.0.1"), new("backup.example.test", "127.0.0.1")],
        });
        var resolver = new SipServerResolver(new SipServerResolverOptions { NameServers = [dns.EndPoint], UseIPv6 = false });

        var targets = await resolver.ResolveAsync("sip:example.test");
        Assert.Equal([primary.EndPoint, backup.EndPoint], targets.Select(t => t.EndPoint).ToArray());

        await primary.StopAsync();
        var list = new SipTargetList(targets);
        Assert.True(list.MoveNext());
        IPEndPoint? answered = null;
        while (list.Current is { } target)
        {
            if (await SipOptionsProbe.PingAsync(target.EndPoint, TimeSpan.FromMilliseconds(500)))
            {
                answered = target.EndPoint;
                break;
            }

            list.NextAfterFailure(null); // no answer: RFC 3263 §4.3, next target
        }

        Assert.Equal(backup.EndPoint, answered);
        await dns.Process.WaitForLineAsync("query[SRV] _sip._udp.example.test", TimeSpan.FromSeconds(5));
    }
}
