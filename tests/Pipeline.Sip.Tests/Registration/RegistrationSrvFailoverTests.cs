using System.Globalization;
using Pipeline.Sip.Registration;
using Pipeline.Sip.Tests.Resolution;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Registration;

/// <summary>
/// A registrar given as a domain is resolved by NAPTR/SRV (dnsmasq on loopback); a target that does not answer at
/// all is given up after the endpoint's FailoverTimeout (not after timer F), on the first REGISTER and on a refresh.
/// </summary>
public sealed class RegistrationSrvFailoverTests
{
    private static string[] Records(FakeRegistrar primary, FakeRegistrar backup) =>
    [
        "naptr-record=example.test,10,50,s,SIP+D2U,,_sip._udp.example.test",
        $"srv-host=_sip._udp.example.test,primary.example.test,{primary.Port.ToString(CultureInfo.InvariantCulture)},10,10",
        $"srv-host=_sip._udp.example.test,backup.example.test,{backup.Port.ToString(CultureInfo.InvariantCulture)},20,10",
        "host-record=primary.example.test,127.0.0.1",
        "host-record=backup.example.test,127.0.0.1",
    ];

    private static async Task<Endpoint> StartAsync(LocalDnsServer dns, int expiresSeconds)
    {
        var options = EndpointPair.Options("agent1") with
        {
            DnsServers = [dns.EndPoint],
            FailoverTimeout = TimeSpan.FromMilliseconds(400), // T1 stays 500 ms: timer F would take 32 s
            Registrations =
            [
                new RegistrationOptions { Registrar = "sip:example.test", AddressOfRecord = "sip:agent1@example.test", Password = "s3cret", Expires = TimeSpan.FromSeconds(expiresSeconds) },
            ],
        };
        var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();
        return ep;
    }

    [SkippableFact]
    public async Task Silent_primary_srv_target_is_given_up_after_the_failover_timeout()
    {
        await using var primary = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300) { Silent = true };
        await using var backup = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var dns = await LocalDnsServer.StartAsync(Records(primary, backup));
        var started = DateTime.UtcNow;
        await using var ep = await StartAsync(dns, 300);
        var reg = ep.Registrations.Single();

        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready, "registered at the backup");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "the failover waited for the transaction timeout");
        Assert.Equal(backup.Port, reg.CurrentServer!.Port);
        Assert.NotEmpty(primary.Received);
        Assert.Contains("query[SRV] _sip._udp.example.test", dns.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Refresh_moves_to_the_backup_when_the_primary_stops_answering()
    {
        await using var primary = new FakeRegistrar("agent1", "s3cret", grantSeconds: 2); // refresh due after 1 s
        await using var backup = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var dns = await LocalDnsServer.StartAsync(Records(primary, backup));
        await using var ep = await StartAsync(dns, 10); // the registrar grants 2 s
        var reg = ep.Registrations.Single();
        var states = new List<RegistrationState>();
        reg.StateChanged += (_, s) =>
        {
            lock (states) states.Add(s);
        };

        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready && reg.CurrentServer?.Port == primary.Port, "registered at the primary");
        primary.Silent = true;
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready && reg.CurrentServer?.Port == backup.Port, "re-registered at the backup");
        Assert.Contains(backup.Answered, a => a.Status == 200);
        lock (states)
        {
            Assert.Equal([RegistrationState.Registering, RegistrationState.Ready], states.TakeLast(2)); // visible: ready again, at the backup
        }
    }
}
