using System.Text.Json;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>
/// <c>phone</c> behind kamailio (registrar + record-routing proxy with digest auth): it registers,
/// SIPp calls its address of record through kamailio, the call completes; with two kamailios the
/// primary is stopped mid-test and calls keep working through the backup; on exit it unregisters.
/// </summary>
public sealed class PhoneKamailioTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-kam-" + Guid.NewGuid().ToString("N")[..8]);

    public PhoneKamailioTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static KamailioOptions Users(string name = "kamailio", bool relayOnlyForRegistered = true) => new()
    {
        Name = name,
        Users = new Dictionary<string, string> { ["agent1"] = "pw-agent1" },
        RelayOnlyForRegisteredCallers = relayOnlyForRegistered,
    };

    private static async Task<PeerProcess> StartPhoneAsync(params string[] extra)
    {
        int port = FreePorts.Udp();
        int rtp = FreePorts.Block(20, tcpToo: false, even: true);
        var args = new List<string> { "phone", "--bind", $"127.0.0.1:{port}", "--user", "agent1", "--auth-user", "agent1", "--password", "pw-agent1", "--auto-answer", "--tone", "1000", "--rtp-ports", $"{rtp}-{rtp + 19}", "--events" };
        args.AddRange(extra);
        var phone = PipelineCli.Start("phone", [.. args]);
        await phone.WaitForLineAsync(l => l.Contains("phone: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return phone;
    }

    private static Task<JsonElement> RegistrationReady(PeerProcess phone, KamailioPeer kam) => phone.WaitForJsonAsync(
        e => e.TryGetProperty("event", out var ev) && ev.GetString() == "registration" && e.GetProperty("state").GetString() == "ready" && e.GetProperty("registrar").GetString()!.Contains(kam.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
        TimeSpan.FromSeconds(15));

    private async Task CallThroughAsync(KamailioPeer kam, PeerProcess phone)
    {
        var wav = TestAudio.WriteToneWav(Path.Combine(_dir, $"tone-{kam.Port}.wav"), 800, TimeSpan.FromSeconds(3));
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "uac_via_proxy.xml",
            Remote = kam.HostPort,
            Service = "agent1",
            RtpStreamFile = wav,
            PauseDuration = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(20),
        });
        var result = await sipp.AssertSucceededAsync(context: phone.Describe() + kam.Describe());
        Assert.Contains("Record-Route:", result.MessageLog, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Phone_registers_with_digest_auth_takes_a_call_through_kamailio_and_unregisters_on_exit()
    {
        Tools.Require("kamailio");
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync(Users());
        await using var phone = await StartPhoneAsync("--register", kam.Uri);
        await RegistrationReady(phone, kam);
        await kam.WaitForContactsAsync("agent1", 1, TimeSpan.FromSeconds(10));

        await CallThroughAsync(kam, phone);
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        Assert.Equal("remote-hangup", ended.GetProperty("reason").GetString());
        Assert.True(ended.GetProperty("rtpReceived").GetInt64() > 20, phone.Describe());

        phone.Terminate(); // SIGTERM: the phone ends calls, unregisters (Expires: 0) and exits 0
        Assert.Equal(0, await phone.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await kam.WaitForContactsAsync("agent1", 0, TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task Calls_keep_working_through_the_backup_when_the_primary_kamailio_stops()
    {
        Tools.Require("kamailio");
        Tools.Require("sipp");
        await using var primary = await KamailioPeer.StartAsync(Users("kamailio primary"));
        await using var backup = await KamailioPeer.StartAsync(Users("kamailio backup"));
        await using var phone = await StartPhoneAsync("--register", primary.Uri, "--register", backup.Uri);
        await RegistrationReady(phone, primary);
        await RegistrationReady(phone, backup);

        await CallThroughAsync(primary, phone);
        await primary.StopAsync();
        Assert.False(await primary.PingAsync(TimeSpan.FromMilliseconds(500)), "the primary still answers after being stopped");
        await CallThroughAsync(backup, phone);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (phone.JsonLines.Count(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "ended") < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(2, phone.JsonLines.Count(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "ended"));
    }

    [SkippableFact]
    public async Task Outgoing_calls_fail_over_to_the_backup_proxy()
    {
        Tools.Require("kamailio");
        Tools.Require("sipp");
        await using var primary = await KamailioPeer.StartAsync(Users("kamailio primary", relayOnlyForRegistered: false));
        await using var backup = await KamailioPeer.StartAsync(Users("kamailio backup", relayOnlyForRegistered: false));
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "uas.wav"), 600, TimeSpan.FromSeconds(10));
        await using var uas = await SippPeer.AnswerAsync(wav, byeTimeout: TimeSpan.FromSeconds(20));
        await primary.StopAsync();

        await using var phone = await StartPhoneAsync("--proxy", primary.Uri, "--proxy", backup.Uri, "--call", uas.Uri, "--hangup-after", "1");
        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(20));
        Assert.Equal("PCMU", established.GetProperty("codec").GetString());
        await uas.AssertSucceededAsync(TimeSpan.FromSeconds(30), context: phone.Describe() + backup.Describe());
        await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
    }
}
