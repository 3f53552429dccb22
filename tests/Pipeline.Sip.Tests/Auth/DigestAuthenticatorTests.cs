using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

public sealed class DigestAuthenticatorTests
{
    private static DigestChallenge Challenge(string realm = "biloxi.com", string nonce = "n1", bool stale = false) =>
        new(realm, nonce) { OffersAuth = true, Stale = stale };

    [Fact]
    public void Nonce_count_increments_for_each_request_answering_the_same_nonce()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        DigestChallenge c = Challenge();

        DigestAuthorization first = auth.Authorize(c, "REGISTER", "sip:biloxi.com");
        DigestAuthorization second = auth.Authorize(c, "REGISTER", "sip:biloxi.com");
        DigestAuthorization third = auth.Authorize(c, "INVITE", "sip:alice@atlanta.com");

        Assert.Equal(["00000001", "00000002", "00000003"], new[] { first.NonceCountText, second.NonceCountText, third.NonceCountText });
        Assert.Contains("nc=00000002", second.HeaderValue, StringComparison.Ordinal);
        Assert.NotEqual(first.Response, second.Response);
    }

    [Fact]
    public void Nonce_count_starts_again_at_one_for_a_new_nonce_or_another_realm()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        auth.Authorize(Challenge(nonce: "n1"), "REGISTER", "sip:biloxi.com");
        auth.Authorize(Challenge(nonce: "n1"), "REGISTER", "sip:biloxi.com");

        Assert.Equal(1u, auth.Authorize(Challenge(nonce: "n2"), "REGISTER", "sip:biloxi.com").NonceCount);
        Assert.Equal(1u, auth.Authorize(Challenge(realm: "proxy", nonce: "n1"), "REGISTER", "sip:biloxi.com").NonceCount);
        Assert.Equal(3u, auth.Authorize(Challenge(nonce: "n1"), "REGISTER", "sip:biloxi.com").NonceCount);
    }

    [Fact]
    public void Client_nonce_is_fresh_random_hex()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));

        string a = auth.Authorize(Challenge(), "REGISTER", "sip:biloxi.com").Cnonce!;
        string b = auth.Authorize(Challenge(), "REGISTER", "sip:biloxi.com").Cnonce!;

        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Credentials_are_chosen_per_realm_with_the_default_for_others()
    {
        var store = new CredentialStore();
        store.Add(new DigestCredentials("proxyuser", "p1", realm: "proxy.example"));
        store.SetDefault(new DigestCredentials("bob", "zanzibar"));
        var auth = new DigestAuthenticator(store);

        Assert.Equal("proxyuser", auth.Authorize(Challenge(realm: "proxy.example"), "INVITE", "sip:a@b").Username);
        Assert.Equal("bob", auth.Authorize(Challenge(realm: "biloxi.com"), "INVITE", "sip:a@b").Username);
    }

    [Fact]
    public void No_credentials_for_the_realm_is_reported_not_thrown_by_TryAuthorize()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar", realm: "biloxi.com"));

        Assert.False(auth.TryAuthorize(Challenge(realm: "other"), "INVITE", "sip:a@b", default, out DigestAuthorization? a, out string? error));
        Assert.Null(a);
        Assert.Contains("no credentials for realm 'other'", error, StringComparison.Ordinal);
        var ex = Assert.Throws<InvalidOperationException>(() => auth.Authorize(Challenge(realm: "other"), "INVITE", "sip:a@b"));
        Assert.Contains("'other'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Md5_ha1_cannot_answer_a_sha256_challenge()
    {
        string ha1 = DigestCredentials.ComputeHa1("bob", "biloxi.com", "zanzibar");
        var auth = new DigestAuthenticator(DigestCredentials.FromHa1("bob", "biloxi.com", ha1));

        Assert.False(auth.TryAuthorize(new DigestChallenge("biloxi.com", "n") { Algorithm = DigestAlgorithm.Sha256 },
            "REGISTER", "sip:biloxi.com", default, out _, out string? error));
        Assert.Contains("SHA-256", error, StringComparison.Ordinal);
        Assert.True(auth.TryAuthorize(new DigestChallenge("biloxi.com", "n") { Algorithm = DigestAlgorithm.Md5Sess, OffersAuth = true },
            "REGISTER", "sip:biloxi.com", default, out _, out _));
    }

    [Fact]
    public void Replaced_credentials_take_effect_despite_the_ha1_cache()
    {
        var store = new CredentialStore(new DigestCredentials("bob", "old"));
        var auth = new DigestAuthenticator(store, () => "c");
        var verifier = new DigestVerifier("biloxi.com");
        DigestChallenge c = verifier.CreateChallenge();
        auth.Authorize(c, "REGISTER", "sip:biloxi.com");

        store.SetDefault(new DigestCredentials("bob", "new"));
        DigestAuthorization a = auth.Authorize(c, "REGISTER", "sip:biloxi.com");

        Assert.True(verifier.Verify(a.HeaderValue, "REGISTER", _ => "new").IsAuthenticated);
    }

    [Fact]
    public void First_challenge_is_retried()
    {
        Assert.True(DigestAuthenticator.ShouldRetry((DigestAuthorization?)null, Challenge()));
    }

    [Fact]
    public void Second_challenge_for_the_same_realm_without_stale_is_final()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "wrong"));
        DigestAuthorization previous = auth.Authorize(Challenge(nonce: "n1"), "REGISTER", "sip:biloxi.com");

        DigestChallenge again = Challenge(nonce: "n2");

        Assert.False(DigestAuthenticator.ShouldRetry(previous, again));
        Assert.False(DigestAuthenticator.ShouldRetry([previous], again));
        Assert.False(DigestAuthenticator.IsStaleRetry(previous, again));
    }

    [Fact]
    public void Stale_challenge_is_retried_with_the_new_nonce_and_the_same_credentials()
    {
        var verifier = new DigestVerifier("biloxi.com");
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        DigestAuthorization previous = auth.Authorize(verifier.CreateChallenge(), "REGISTER", "sip:biloxi.com");
        DigestChallenge stale = verifier.CreateChallenge(stale: true);

        Assert.True(DigestAuthenticator.ShouldRetry(previous, stale));
        Assert.True(DigestAuthenticator.IsStaleRetry(previous, stale));
        DigestAuthorization retry = auth.Authorize(stale, "REGISTER", "sip:biloxi.com");
        Assert.Equal(stale.Nonce, retry.Nonce);
        Assert.Equal(1u, retry.NonceCount);
        Assert.True(verifier.Verify(retry.HeaderValue, "REGISTER", _ => "zanzibar").IsAuthenticated);
    }

    [Fact]
    public void Stale_challenge_repeating_the_nonce_just_answered_is_final()
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        DigestAuthorization previous = auth.Authorize(Challenge(nonce: "n1"), "REGISTER", "sip:biloxi.com");

        Assert.False(DigestAuthenticator.ShouldRetry(previous, Challenge(nonce: "n1", stale: true)));
        Assert.False(DigestAuthenticator.ShouldRetry([previous], Challenge(nonce: "n1", stale: true)));
        Assert.False(DigestAuthenticator.IsStaleRetry(previous, Challenge(nonce: "n1", stale: true)));
    }

    [Fact]
    public void Challenge_from_another_realm_after_an_attempt_is_retried()
    {
        // e.g. the registrar answered, then a proxy on the path challenges with 407 and its own realm.
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        DigestAuthorization previous = auth.Authorize(Challenge(realm: "registrar"), "INVITE", "sip:a@b");

        Assert.True(DigestAuthenticator.ShouldRetry(previous, Challenge(realm: "proxy")));
        Assert.True(DigestAuthenticator.ShouldRetry([previous], Challenge(realm: "proxy")));
        Assert.False(DigestAuthenticator.IsStaleRetry(previous, Challenge(realm: "proxy", stale: true)));
    }

    [Theory]
    [InlineData("", "sip:a@b")]
    [InlineData("INVITE", "")]
    public void Empty_method_or_uri_is_an_argument_error(string method, string uri)
    {
        var auth = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));

        Assert.Throws<ArgumentException>(() => auth.Authorize(Challenge(), method, uri));
    }
}
