using System.Net;
using Pipeline.Sip.Registration;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Registration;

public sealed class RegistrationTests
{
    private static async Task<Endpoint> StartAsync(params RegistrationOptions[] registrations)
    {
        var options = EndpointPair.Options("agent1") with { Registrations = registrations, T1 = TimeSpan.FromMilliseconds(50) };
        var ep = new Endpoint(options, new FakeMediaFactory());
        await ep.StartAsync();
        return ep;
    }

    private static RegistrationOptions To(FakeRegistrar r, string password, TimeSpan? retry = null) => new()
    {
        Registrar = $"sip:127.0.0.1:{r.Port}",
        AddressOfRecord = "sip:agent1@pipeline.test",
        Password = password,
        Expires = TimeSpan.FromSeconds(600),
        RetryDelay = retry ?? TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task Register_answers_the_digest_challenge_and_becomes_ready()
    {
        await using var registrar = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var ep = await StartAsync(To(registrar, "s3cret"));
        var reg = ep.Registrations.Single();
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready, "registration ready");

        Assert.Equal(TimeSpan.FromSeconds(300), reg.GrantedExpires);
        var sent = registrar.Received.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Null(sent[0].GetHeader("Authorization"));
        Assert.Contains("username=\"agent1\"", sent[1].GetHeader("Authorization"), StringComparison.Ordinal);
        Assert.Equal(sent[0].CallId, sent[1].CallId);
        Assert.Equal(sent[0].CSeq.Number + 1, sent[1].CSeq.Number);
        Assert.Equal("<sip:agent1@pipeline.test>", sent[1].GetHeader("To"));
        Assert.Contains($"{ep.LocalEndPoint.Port}", sent[1].GetHeader("Contact"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binding_is_refreshed_before_it_expires()
    {
        await using var registrar = new FakeRegistrar("agent1", "s3cret", grantSeconds: 12); // refresh due after 2 s
        await using var ep = await StartAsync(To(registrar, "s3cret"));
        var reg = ep.Registrations.Single();
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready, "registration ready");
        await EndpointPair.WaitUntil(() => registrar.Answered.Count(a => a.Status == 200) >= 2, "a refresh accepted with 200");
        Assert.Equal(RegistrationState.Ready, reg.State);
    }

    [Fact]
    public async Task Wrong_password_fails_without_looping_and_retries_later()
    {
        await using var registrar = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var ep = await StartAsync(To(registrar, "wrong", retry: TimeSpan.FromSeconds(30)));
        var reg = ep.Registrations.Single();
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Failed, "registration failed");
        Assert.Contains("credentials rejected", reg.LastError, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal(2, registrar.Received.Count); // one challenge answered once, then no loop
    }

    [Fact]
    public async Task Unreachable_registrar_fails_after_timer_F_and_retries_with_back_off()
    {
        await using var registrar = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300) { Silent = true };
        await using var ep = await StartAsync(To(registrar, "s3cret", retry: TimeSpan.FromMilliseconds(500)));
        var reg = ep.Registrations.Single();
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Failed, "registration failed (64*T1 = 3.2 s)");
        Assert.Contains("no answer", reg.LastError, StringComparison.Ordinal);
        registrar.Silent = false;
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready, "registration ready after the registrar came back");
    }

    [Fact]
    public async Task Stop_unregisters_with_expires_zero()
    {
        await using var registrar = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        var ep = await StartAsync(To(registrar, "s3cret"));
        var reg = ep.Registrations.Single();
        await EndpointPair.WaitUntil(() => reg.State == RegistrationState.Ready, "registration ready");
        await ep.DisposeAsync();
        Assert.Equal(RegistrationState.Unregistered, reg.State);
        var last = registrar.Received.Last();
        Assert.Equal("0", last.GetHeader("Expires"));
        Assert.NotNull(last.GetHeader("Authorization"));
    }

    [Fact]
    public async Task Two_registrations_are_kept_at_once_one_per_server()
    {
        await using var primary = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var backup = new FakeRegistrar("agent1", "s3cret", grantSeconds: 300);
        await using var ep = await StartAsync(To(primary, "s3cret"), To(backup, "s3cret"));
        await EndpointPair.WaitUntil(() => ep.Registrations.All(r => r.State == RegistrationState.Ready), "both registrations ready");
        Assert.NotEqual(primary.Received.First().CallId, backup.Received.First().CallId);
    }

    [Fact]
    public void Bad_registration_options_are_refused_with_the_field_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RegistrationOptions { Registrar = "not a uri" }.Validate());
        Assert.Contains("Registrar", ex.Message, StringComparison.Ordinal);
    }
}
