using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

/// <summary>Our digest answers checked by a real implementation: kamailio's auth module (MD5 and SHA-256).</summary>
public sealed class KamailioDigestInteropTests
{
    [RequiresToolTheory("kamailio")]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public async Task Kamailio_accepts_register_answered_after_401(DigestAlgorithm algorithm)
    {
        await using var kamailio = await KamailioDigestServer.StartAsync(algorithm);
        var client = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));

        SipReply challenge = await kamailio.SendAsync("REGISTER", null);
        Assert.Equal(401, challenge.Status);
        Assert.True(client.TryAnswer(challenge.WwwAuthenticate, [], "REGISTER", kamailio.Uri, default, out var answers, out string? error), error);
        Assert.Equal(algorithm, answers[0].Algorithm);
        SipReply accepted = await kamailio.SendAsync("REGISTER", answers[0]);

        Assert.Equal(200, accepted.Status);
    }

    [RequiresToolTheory("kamailio")]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public async Task Kamailio_accepts_the_next_nonce_count_on_the_same_nonce_for_another_request(DigestAlgorithm algorithm)
    {
        await using var kamailio = await KamailioDigestServer.StartAsync(algorithm);
        var client = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        SipReply challenge = await kamailio.SendAsync("INVITE", null);
        Assert.Equal(407, challenge.Status);
        Assert.True(DigestChallenge.TryParse(challenge.ProxyAuthenticate, out DigestChallenge? c, out string? error), error);

        DigestAuthorization first = client.Authorize(c, "INVITE", kamailio.Uri);
        DigestAuthorization second = client.Authorize(c, "BYE", kamailio.Uri);

        Assert.Equal(200, (await kamailio.SendAsync("INVITE", first)).Status);
        Assert.Equal(2u, second.NonceCount);
        Assert.Equal(200, (await kamailio.SendAsync("BYE", second)).Status);
    }

    [RequiresToolTheory("kamailio")]
    [InlineData(DigestAlgorithm.Md5)]
    public async Task Kamailio_rejects_a_wrong_password_and_the_second_407_is_final(DigestAlgorithm algorithm)
    {
        await using var kamailio = await KamailioDigestServer.StartAsync(algorithm);
        var client = new DigestAuthenticator(new DigestCredentials("bob", "not-the-password"));
        SipReply challenge = await kamailio.SendAsync("REFER", null);
        Assert.True(client.TryAnswer(challenge.ProxyAuthenticate, [], "REFER", kamailio.Uri, default, out var answers, out string? error), error);

        SipReply rejected = await kamailio.SendAsync("REFER", answers[0]);

        Assert.Equal(407, rejected.Status);
        Assert.False(client.TryAnswer(rejected.ProxyAuthenticate, answers, "REFER", kamailio.Uri, default, out _, out error));
        Assert.Equal("credentials rejected for realm '127.0.0.1'", error);
    }
}
