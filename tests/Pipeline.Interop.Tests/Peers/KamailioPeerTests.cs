using System.Globalization;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// kamailio (registrar + record-routing proxy with digest auth) against SIPp and baresip, no Pipeline
/// code involved: proves <see cref="KamailioPeer"/> before our phone is tested against it.
/// </summary>
public sealed class KamailioPeerTests
{
    [SkippableFact]
    public async Task Sipp_registers_with_digest_auth_and_unregisters()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions { Users = new Dictionary<string, string> { ["alice"] = "s3cr3t!" } });
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "register_auth.xml",
            Remote = kam.HostPort,
            Timeout = TimeSpan.FromSeconds(20),
            Variables = new Dictionary<string, string> { ["USER"] = "alice", ["PASSWORD"] = "s3cr3t!", ["EXPIRES"] = "120", ["HOLD_MS"] = "500" },
        });

        await kam.WaitForContactsAsync("alice", 1, TimeSpan.FromSeconds(10));
        await sipp.AssertSucceededAsync(context: kam.Describe());
        await kam.WaitForContactsAsync("alice", 0, TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task Register_without_credentials_gets_401_with_the_realm()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions { Realm = "site-a.test" });
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "register_expect_401.xml",
            Remote = kam.HostPort,
            Timeout = TimeSpan.FromSeconds(10),
            Variables = new Dictionary<string, string> { ["USER"] = "alice", ["REALM"] = "site-a.test" },
        });

        await sipp.AssertSucceededAsync(context: kam.Describe());
        Assert.DoesNotContain(kam.Process.Lines, l => l.Contains("kamailio-peer: registered", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Register_with_a_wrong_password_is_challenged_again()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync();
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "register_auth.xml",
            Remote = kam.HostPort,
            Timeout = TimeSpan.FromSeconds(10),
            Variables = new Dictionary<string, string> { ["USER"] = "alice", ["PASSWORD"] = "wrong", ["EXPIRES"] = "120", ["HOLD_MS"] = "0" },
        });

        var result = await sipp.WaitForExitAsync();
        Assert.False(result.Succeeded, "a wrong password must not register\n" + kam.Describe());
        Assert.Contains("SIP/2.0 401", result.MessageLog, StringComparison.Ordinal);
        Assert.DoesNotContain(kam.Process.Lines, l => l.Contains("kamailio-peer: registered", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Call_to_an_unregistered_aor_gets_404()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync();
        var dir = PeerDirectory.Create("kam404");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(2));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_via_proxy.xml",
                Remote = kam.HostPort,
                Service = "nobody",
                RtpStreamFile = wav,
                Timeout = TimeSpan.FromSeconds(10),
            });

            var result = await sipp.WaitForExitAsync();
            Assert.False(result.Succeeded, kam.Describe());
            Assert.Contains("SIP/2.0 404", result.MessageLog, StringComparison.Ordinal);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Sipp_calls_a_registered_baresip_through_kamailio_with_record_route()
    {
        Tools.Require("sipp");
        Tools.Require("baresip");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions { Users = new Dictionary<string, string> { ["bob"] = "pw-bob" } });
        await using var bob = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip bob", User = "bob", ToneHz = 1000 });
        await RegisterBaresipAsync(bob, kam, "bob", "pw-bob");
        await kam.WaitForContactsAsync("bob", 1, TimeSpan.FromSeconds(10));

        var dir = PeerDirectory.Create("kamcall");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone800.wav"), 800, TimeSpan.FromSeconds(5));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_via_proxy.xml",
                Remote = kam.HostPort,
                Service = "bob",
                RtpStreamFile = wav,
                PauseDuration = TimeSpan.FromSeconds(2),
                Timeout = TimeSpan.FromSeconds(20),
            });

            var result = await sipp.AssertSucceededAsync(context: kam.Describe() + bob.Describe());
            await bob.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));

            // baresip -s prints what it received: the INVITE came through kamailio with its Record-Route,
            // and so did the BYE (loose routing: SIPp sent it to kamailio with a Route header).
            var output = bob.Process.Output;
            Assert.Contains($"Record-Route: <sip:127.0.0.1:{kam.Port.ToString(CultureInfo.InvariantCulture)};lr", output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("kamailio-peer: BYE", kam.Process.Output, StringComparison.Ordinal);
            Assert.Contains("Record-Route:", result.MessageLog, StringComparison.Ordinal);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Invite_needs_proxy_auth_when_configured()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions { RequireInviteAuth = true });
        var dir = PeerDirectory.Create("kam407");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(2));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_via_proxy.xml",
                Remote = kam.HostPort,
                Service = "alice",
                RtpStreamFile = wav,
                Timeout = TimeSpan.FromSeconds(10),
            });

            var result = await sipp.WaitForExitAsync();
            Assert.False(result.Succeeded, kam.Describe());
            Assert.Contains("SIP/2.0 407", result.MessageLog, StringComparison.Ordinal);
            Assert.Contains("Proxy-Authenticate: Digest realm=\"pipeline.test\"", result.MessageLog, StringComparison.Ordinal);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Sipp_registers_over_tcp()
    {
        Tools.Require("sipp");
        await using var kam = await KamailioPeer.StartAsync();
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "register_auth.xml",
            Remote = kam.HostPort,
            Timeout = TimeSpan.FromSeconds(20),
            ExtraArguments = ["-t", "t1"],
            Variables = new Dictionary<string, string> { ["USER"] = "alice", ["PASSWORD"] = "secret", ["EXPIRES"] = "120", ["HOLD_MS"] = "200" },
        });

        await sipp.AssertSucceededAsync(context: kam.Describe());
        var line = await kam.WaitForContactsAsync("alice", 1, TimeSpan.FromSeconds(5));
        Assert.Contains("/tcp call-id", kam.Process.Lines.First(l => l.Contains("kamailio-peer: REGISTER", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("expires=120", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sipp_call_answers_the_407_and_reaches_a_registered_baresip()
    {
        Tools.Require("sipp");
        Tools.Require("baresip");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions
        {
            RequireInviteAuth = true,
            Users = new Dictionary<string, string> { ["alice"] = "pw-alice", ["bob"] = "pw-bob" },
        });
        await using var bob = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip bob", User = "bob" });
        await RegisterBaresipAsync(bob, kam, "bob", "pw-bob");
        var dir = PeerDirectory.Create("kam407ok");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(3));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_via_proxy_auth.xml",
                Remote = kam.HostPort,
                Service = "bob",
                RtpStreamFile = wav,
                PauseDuration = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(20),
                Variables = new Dictionary<string, string> { ["USER"] = "alice", ["PASSWORD"] = "pw-alice" },
            });

            var result = await sipp.AssertSucceededAsync(context: kam.Describe() + bob.Describe());
            Assert.Contains("SIP/2.0 407", result.MessageLog, StringComparison.Ordinal);
            await bob.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Proxy_relays_to_a_foreign_uri_only_for_a_registered_caller()
    {
        Tools.Require("sipp");
        Tools.Require("baresip");
        await using var kam = await KamailioPeer.StartAsync(new KamailioOptions { Users = new Dictionary<string, string> { ["carol"] = "pw-carol" } });
        await using var bob = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip bob", User = "bob" });
        var dir = PeerDirectory.Create("kamrelay");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(3));
            SippOptions Call() => new()
            {
                Scenario = "uac_via_proxy_to_uri.xml",
                Remote = kam.HostPort,
                RtpStreamFile = wav,
                PauseDuration = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(15),
                Variables = new Dictionary<string, string> { ["REQUEST_URI"] = bob.Uri, ["FROM_USER"] = "carol" },
            };

            await using (var unregistered = await SippPeer.StartAsync(Call()))
            {
                var refused = await unregistered.WaitForExitAsync();
                Assert.False(refused.Succeeded, kam.Describe());
                Assert.Contains("SIP/2.0 403 Relaying forbidden", refused.MessageLog, StringComparison.Ordinal);
            }

            await using var registration = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "register_auth.xml",
                Remote = kam.HostPort,
                Timeout = TimeSpan.FromSeconds(30),
                Variables = new Dictionary<string, string> { ["USER"] = "carol", ["PASSWORD"] = "pw-carol", ["EXPIRES"] = "60", ["HOLD_MS"] = "8000" },
            });
            await kam.WaitForContactsAsync("carol", 1, TimeSpan.FromSeconds(10));

            await using var call = await SippPeer.StartAsync(Call());
            await call.AssertSucceededAsync(context: kam.Describe() + bob.Describe());
            Assert.Contains($"Record-Route: <sip:127.0.0.1:{kam.Port.ToString(CultureInfo.InvariantCulture)};lr", bob.Process.Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Stopped_kamailio_stops_answering_and_restarts_on_the_same_port()
    {
        await using var kam = await KamailioPeer.StartAsync();
        var port = kam.Port;
        Assert.True(await kam.PingAsync(TimeSpan.FromSeconds(2)), kam.Describe());

        await kam.StopAsync();
        Assert.False(kam.IsRunning);
        Assert.False(await kam.PingAsync(TimeSpan.FromMilliseconds(500)), "a stopped kamailio answered\n" + kam.Describe());

        await kam.RestartAsync();
        Assert.Equal(port, kam.Port);
        Assert.True(kam.IsRunning);
        Assert.True(await kam.PingAsync(TimeSpan.FromSeconds(2)), kam.Describe());
    }

    [Fact]
    public void Generated_config_escapes_passwords_and_rejects_bad_user_names()
    {
        var cfg = KamailioPeer.BuildConfig(new KamailioOptions { Users = new Dictionary<string, string> { ["a.b"] = "p\"w\\x" } }, 5099);
        Assert.Contains("$sht(users=>a.b) = \"p\\\"w\\\\x\";", cfg, StringComparison.Ordinal);
        Assert.Contains("listen=udp:127.0.0.1:5099", cfg, StringComparison.Ordinal);
        Assert.Contains("listen=tcp:127.0.0.1:5099", cfg, StringComparison.Ordinal);
    }

    /// <summary>
    /// Registers baresip to kamailio: BaresipPeer's own account has regint=0 (it is a callee on its own
    /// port), so a second user agent is added over ctrl_tcp ("uanew", which registers at once when
    /// regint &gt; 0) with the registrar's AOR and the password.
    /// </summary>
    internal static async Task RegisterBaresipAsync(BaresipPeer baresip, KamailioPeer kam, string user, string password)
    {
        var account = $"<sip:{user}@127.0.0.1:{kam.Port.ToString(CultureInfo.InvariantCulture)}>;auth_pass={password};regint=300;answermode=auto;audio_codecs=PCMU";
        await baresip.CommandAsync("uanew", account);
        await baresip.WaitForEventAsync("REGISTER_OK", TimeSpan.FromSeconds(10));
    }
}
