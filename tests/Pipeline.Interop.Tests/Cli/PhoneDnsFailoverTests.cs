using System.Globalization;
using System.Text.Json;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>
/// RFC 3263 end to end through the real <c>phone</c>: dnsmasq on loopback publishes <c>pbx.test</c> as
/// NAPTR → SRV (primary priority 10, backup priority 20) → A 127.0.0.1, and the phone is given only
/// <c>--register sip:alice@pbx.test --dns-server …</c>. When the primary kamailio answers 503, or stops answering,
/// registrations and calls move to the backup.
/// </summary>
public sealed class PhoneDnsFailoverTests
{
    private const string Domain = "pbx.test";

    private static KamailioOptions Site(string name, params string[] extraRoute) => new()
    {
        Name = name,
        Users = new Dictionary<string, string> { ["alice"] = "pw-alice", ["bob"] = "pw-bob" },
        Aliases = [Domain],
        ExtraRouteLines = extraRoute,
    };

    private static Task<DnsmasqPeer> PublishAsync(KamailioPeer primary, KamailioPeer backup) => DnsmasqPeer.StartAsync(new DnsmasqOptions
    {
        LocalDomains = [Domain],
        Naptr = [new(Domain, 10, 50, "s", "SIP+D2U", "_sip._udp." + Domain)],
        Srv =
        [
            new("_sip._udp." + Domain, "primary." + Domain, primary.Port, Priority: 10),
            new("_sip._udp." + Domain, "backup." + Domain, backup.Port, Priority: 20),
        ],
        Hosts = [new("primary." + Domain, "127.0.0.1"), new("backup." + Domain, "127.0.0.1")],
    });

    private static async Task<PeerProcess> StartPhoneAsync(string user, params string[] extra)
    {
        int port = FreePorts.Udp();
        int rtp = FreePorts.Block(20, tcpToo: false, even: true);
        var args = new List<string> { "phone", "--bind", $"127.0.0.1:{port}", "--user", user, "--password", "pw-" + user, "--auto-answer", "--tone", "1000", "--rtp-ports", $"{rtp}-{rtp + 19}", "--events" };
        args.AddRange(extra);
        var phone = PipelineCli.Start("phone " + user, [.. args]);
        await phone.WaitForLineAsync(l => l.Contains("phone: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return phone;
    }

    private static string Port(KamailioPeer k) => k.Port.ToString(CultureInfo.InvariantCulture);

    private static bool IsReadyAt(JsonElement e, KamailioPeer site) =>
        e.TryGetProperty("event", out var ev) && ev.GetString() == "registration" && e.GetProperty("state").GetString() == "ready"
        && e.TryGetProperty("server", out var server) && server.GetString() == site.EndPoint.ToString();

    [SkippableFact]
    public async Task Phone_resolves_the_domain_by_naptr_srv_and_registers_and_calls_through_the_backup_when_the_primary_answers_503()
    {
        Tools.Require("kamailio");
        Tools.Require("dnsmasq");
        await using var primary = await KamailioPeer.StartAsync(Site("kamailio primary (503)", "if (!is_method(\"ACK|OPTIONS\")) { sl_send_reply(\"503\", \"Service Unavailable\"); exit; }"));
        await using var backup = await KamailioPeer.StartAsync(Site("kamailio backup"));
        await using var dns = await PublishAsync(primary, backup);

        // bob is registered at the backup only; alice finds everything through DNS.
        await using var bob = await StartPhoneAsync("bob", "--register", backup.Uri);
        await backup.WaitForContactsAsync("bob", 1, TimeSpan.FromSeconds(15));
        await using var alice = await StartPhoneAsync("alice", "--register", $"sip:alice@{Domain}", "--dns-server", dns.EndPoint.ToString(), "--call", $"sip:bob@{Domain}", "--hangup-after", "1");

        var ready = await alice.WaitForJsonAsync(e => IsReadyAt(e, backup), TimeSpan.FromSeconds(20));
        Assert.Equal($"sip:alice@{Domain}", ready.GetProperty("aor").GetString());
        await backup.WaitForContactsAsync("alice", 1, TimeSpan.FromSeconds(10));
        await primary.Process.WaitForLineAsync($"kamailio-peer: REGISTER sip:{Domain} ", TimeSpan.FromSeconds(5)); // the primary was asked first

        var established = await alice.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(20));
        Assert.Equal("PCMU", established.GetProperty("codec").GetString());
        await bob.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(10));
        await primary.Process.WaitForLineAsync($"kamailio-peer: INVITE sip:bob@{Domain} ", TimeSpan.FromSeconds(5));
        await backup.Process.WaitForLineAsync("kamailio-peer: INVITE for bob routed to", TimeSpan.FromSeconds(5));
        var ended = await alice.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(15));
        Assert.Equal("local-hangup", ended.GetProperty("reason").GetString());
        await dns.Process.WaitForLineAsync($"query[SRV] _sip._udp.{Domain}", TimeSpan.FromSeconds(5));
        await dns.Process.WaitForLineAsync($"query[NAPTR] {Domain}", TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task Reregistration_and_the_next_call_move_to_the_backup_when_the_primary_stops()
    {
        Tools.Require("kamailio");
        Tools.Require("dnsmasq");
        Tools.Require("sipp");
        await using var primary = await KamailioPeer.StartAsync(Site("kamailio primary"));
        await using var backup = await KamailioPeer.StartAsync(Site("kamailio backup"));
        await using var dns = await PublishAsync(primary, backup);
        await using var bob = await StartPhoneAsync("bob", "--register", primary.Uri, "--register", backup.Uri);
        await backup.WaitForContactsAsync("bob", 1, TimeSpan.FromSeconds(15));

        // alice registers (short bindings, refreshed every few seconds) at the SRV's first choice.
        await using var alice = await StartPhoneAsync("alice", "--register", $"sip:alice@{Domain}", "--dns-server", dns.EndPoint.ToString(), "--register-expires", "14");
        await alice.WaitForJsonAsync(e => IsReadyAt(e, primary), TimeSpan.FromSeconds(20));
        await primary.WaitForContactsAsync("alice", 1, TimeSpan.FromSeconds(10));

        await primary.StopAsync();
        Assert.False(await primary.PingAsync(TimeSpan.FromMilliseconds(500)), "the primary still answers after being stopped");

        // The next refresh gets no answer: after the failover timeout it goes to the backup.
        await backup.WaitForContactsAsync("alice", 1, TimeSpan.FromSeconds(25));
        await alice.WaitForJsonAsync(e => IsReadyAt(e, backup), TimeSpan.FromSeconds(5));

        // Calls to alice work through the backup she moved to.
        string wav = TestAudio.WriteToneWav(Path.Combine(Path.GetTempPath(), $"dns-failover-{Guid.NewGuid():N}.wav"), 800, TimeSpan.FromSeconds(2));
        try
        {
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_via_proxy.xml",
                Remote = backup.HostPort,
                Service = "alice",
                RtpStreamFile = wav,
                PauseDuration = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(20),
            });
            await sipp.AssertSucceededAsync(context: alice.Describe() + backup.Describe());
        }
        finally
        {
            File.Delete(wav);
        }

        // A new call from a phone that knows only the domain: the primary does not answer, the backup does.
        await using var carol = await StartPhoneAsync("carol", "--dns-server", dns.EndPoint.ToString(), "--call", $"sip:bob@{Domain}", "--hangup-after", "1");
        await carol.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(25));
        await backup.Process.WaitForLineAsync("kamailio-peer: INVITE for bob routed to", TimeSpan.FromSeconds(5));
        await carol.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(15));
    }
}
