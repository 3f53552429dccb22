using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

public sealed class DigestVerifierTests
{
    private sealed class FakeTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly FakeTime _time = new();

    private DigestVerifier NewVerifier(params DigestAlgorithm[] algorithms) => new("biloxi.com", new DigestVerifierOptions
    {
        TimeProvider = _time,
        NonceLifetime = TimeSpan.FromMinutes(5),
        Algorithms = algorithms.Length == 0 ? [DigestAlgorithm.Md5] : algorithms,
    });

    private static string? Passwords(string user) => user == "bob" ? "zanzibar" : null;

    private static DigestAuthenticator Bob(string password = "zanzibar") => new(new DigestCredentials("bob", password));

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Md5Sess)]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha256Sess)]
    public void Accepts_what_the_authenticator_makes(DigestAlgorithm algorithm)
    {
        DigestVerifier verifier = NewVerifier(algorithm);
        DigestChallenge challenge = verifier.CreateChallenge();

        DigestAuthorization a = Bob().Authorize(challenge, "REGISTER", "sip:biloxi.com");
        DigestVerificationResult result = verifier.Verify(a.HeaderValue, "REGISTER", Passwords, "sip:biloxi.com");

        Assert.True(result.IsAuthenticated, result.ToString());
        Assert.Equal("bob", result.Username);
        Assert.Null(result.Challenge);
    }

    [Fact]
    public void Issued_challenge_survives_the_wire_format()
    {
        DigestVerifier verifier = NewVerifier(DigestAlgorithm.Sha256, DigestAlgorithm.Md5);
        IReadOnlyList<DigestChallenge> offered = verifier.CreateChallenges();
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], offered.Select(c => c.Algorithm));

        Assert.True(DigestChallenge.TryParse(offered.Select(c => c.ToHeaderValue()), out DigestChallenge? parsed, out _));
        DigestAuthorization a = Bob().Authorize(parsed!, "INVITE", "sip:alice@atlanta.com");

        Assert.Equal(DigestAlgorithm.Sha256, a.Algorithm);
        Assert.True(verifier.Verify(a.HeaderValue, "INVITE", Passwords, "sip:alice@atlanta.com").IsAuthenticated);
    }

    [Fact]
    public void Rejects_a_wrong_password_with_a_fresh_non_stale_challenge()
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthorization a = Bob("wrong").Authorize(verifier.CreateChallenge(), "REGISTER", "sip:biloxi.com");

        DigestVerificationResult result = verifier.Verify(a.HeaderValue, "REGISTER", Passwords);

        Assert.Equal(DigestVerificationStatus.WrongResponse, result.Status);
        Assert.False(result.Challenge!.Stale);
        Assert.False(DigestAuthenticator.ShouldRetry(a, result.Challenge));
    }

    [Fact]
    public void Rejects_a_replayed_nonce_count()
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthenticator bob = Bob();
        DigestChallenge challenge = verifier.CreateChallenge();
        DigestAuthorization first = bob.Authorize(challenge, "REGISTER", "sip:biloxi.com");
        DigestAuthorization second = bob.Authorize(challenge, "REGISTER", "sip:biloxi.com");

        Assert.True(verifier.Verify(first.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
        Assert.True(verifier.Verify(second.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
        DigestVerificationResult replay = verifier.Verify(second.HeaderValue, "REGISTER", Passwords);
        DigestVerificationResult older = verifier.Verify(first.HeaderValue, "REGISTER", Passwords);

        Assert.Equal(DigestVerificationStatus.Replay, replay.Status);
        Assert.Equal(DigestVerificationStatus.Replay, older.Status);
    }

    [Fact]
    public void Expired_nonce_with_a_correct_answer_gets_a_stale_challenge_and_the_retry_succeeds()
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthenticator bob = Bob();
        DigestAuthorization a = bob.Authorize(verifier.CreateChallenge(), "REGISTER", "sip:biloxi.com");
        _time.Now += TimeSpan.FromMinutes(6);

        DigestVerificationResult result = verifier.Verify(a.HeaderValue, "REGISTER", Passwords);

        Assert.Equal(DigestVerificationStatus.StaleNonce, result.Status);
        Assert.True(result.Challenge!.Stale);
        Assert.Contains("stale=true", result.Challenge.ToHeaderValue(), StringComparison.Ordinal);
        Assert.True(DigestAuthenticator.IsStaleRetry(a, result.Challenge));
        DigestAuthorization retry = bob.Authorize(result.Challenge, "REGISTER", "sip:biloxi.com");
        Assert.True(verifier.Verify(retry.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
    }

    [Fact]
    public void Nonce_still_valid_just_before_its_lifetime_ends()
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthorization a = Bob().Authorize(verifier.CreateChallenge(), "REGISTER", "sip:biloxi.com");
        _time.Now += TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1);

        Assert.True(verifier.Verify(a.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
    }

    [Fact]
    public void Expired_nonce_with_a_wrong_password_is_not_reported_stale()
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthorization a = Bob("wrong").Authorize(verifier.CreateChallenge(), "REGISTER", "sip:biloxi.com");
        _time.Now += TimeSpan.FromMinutes(6);

        DigestVerificationResult result = verifier.Verify(a.HeaderValue, "REGISTER", Passwords);

        Assert.Equal(DigestVerificationStatus.WrongResponse, result.Status);
        Assert.False(result.Challenge!.Stale);
    }

    [Fact]
    public void Rejects_a_nonce_it_did_not_issue()
    {
        DigestVerifier verifier = NewVerifier();
        DigestVerifier other = NewVerifier();
        DigestAuthorization forged = Bob().Authorize(new DigestChallenge("biloxi.com", "made-up-nonce") { OffersAuth = true }, "REGISTER", "sip:biloxi.com");
        DigestAuthorization foreign = Bob().Authorize(other.CreateChallenge(), "REGISTER", "sip:biloxi.com");

        Assert.Equal(DigestVerificationStatus.InvalidNonce, verifier.Verify(forged.HeaderValue, "REGISTER", Passwords).Status);
        Assert.Equal(DigestVerificationStatus.InvalidNonce, verifier.Verify(foreign.HeaderValue, "REGISTER", Passwords).Status);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("####")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Garbage_nonce_from_the_wire_is_invalid_not_a_crash(string nonce)
    {
        DigestVerifier verifier = NewVerifier();
        DigestAuthorization a = Bob().Authorize(new DigestChallenge("biloxi.com", nonce) { OffersAuth = true }, "REGISTER", "sip:biloxi.com");

        Assert.Equal(DigestVerificationStatus.InvalidNonce, verifier.Verify(a.HeaderValue, "REGISTER", Passwords).Status);
    }

    [Fact]
    public void Verifiers_sharing_a_key_accept_each_others_nonces()
    {
        byte[] key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var a = new DigestVerifier("biloxi.com", new DigestVerifierOptions { NonceKey = key, TimeProvider = _time });
        var b = new DigestVerifier("biloxi.com", new DigestVerifierOptions { NonceKey = key, TimeProvider = _time });
        DigestChallenge challenge = a.CreateChallenge();
        DigestAuthorization answer = Bob().Authorize(new DigestChallenge(challenge.Realm, challenge.Nonce) { OffersAuth = true }, "REGISTER", "sip:biloxi.com");

        Assert.True(b.Verify(answer.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
    }

    [Fact]
    public void Rejects_unknown_user_other_realm_other_uri_and_other_method()
    {
        DigestVerifier verifier = NewVerifier();
        DigestChallenge c = verifier.CreateChallenge();
        DigestAuthorization alice = new DigestAuthenticator(new DigestCredentials("alice", "x")).Authorize(c, "REGISTER", "sip:biloxi.com");
        DigestAuthorization otherRealm = Bob().Authorize(new DigestChallenge("atlanta.com", c.Nonce) { OffersAuth = true }, "REGISTER", "sip:biloxi.com");
        DigestAuthorization bob = Bob().Authorize(c, "REGISTER", "sip:biloxi.com");

        Assert.Equal(DigestVerificationStatus.UnknownUser, verifier.Verify(alice.HeaderValue, "REGISTER", Passwords).Status);
        Assert.Equal(DigestVerificationStatus.WrongRealm, verifier.Verify(otherRealm.HeaderValue, "REGISTER", Passwords).Status);
        Assert.Equal(DigestVerificationStatus.UriMismatch, verifier.Verify(bob.HeaderValue, "REGISTER", Passwords, "sip:evil.com").Status);
        Assert.Equal(DigestVerificationStatus.WrongResponse, verifier.Verify(bob.HeaderValue, "INVITE", Passwords).Status);
    }

    [Fact]
    public void Rejects_missing_qop_unless_allowed_and_algorithms_not_offered()
    {
        DigestVerifier verifier = NewVerifier();
        DigestChallenge c = verifier.CreateChallenge();
        DigestAuthorization noQop = Bob().Authorize(new DigestChallenge(c.Realm, c.Nonce), "REGISTER", "sip:biloxi.com");
        DigestAuthorization sha = Bob().Authorize(new DigestChallenge(c.Realm, c.Nonce) { Algorithm = DigestAlgorithm.Sha256, OffersAuth = true }, "REGISTER", "sip:biloxi.com");
        var lenient = new DigestVerifier("biloxi.com", new DigestVerifierOptions { AllowMissingQop = true });
        DigestChallenge lc = lenient.CreateChallenge();
        DigestAuthorization lenientNoQop = Bob().Authorize(new DigestChallenge(lc.Realm, lc.Nonce), "REGISTER", "sip:biloxi.com");

        Assert.Equal(DigestVerificationStatus.UnsupportedQop, verifier.Verify(noQop.HeaderValue, "REGISTER", Passwords).Status);
        Assert.Equal(DigestVerificationStatus.UnsupportedAlgorithm, verifier.Verify(sha.HeaderValue, "REGISTER", Passwords).Status);
        Assert.True(lenient.Verify(lenientNoQop.HeaderValue, "REGISTER", Passwords).IsAuthenticated);
    }

    [Fact]
    public void Request_without_credentials_gets_one_fresh_challenge_per_offered_algorithm()
    {
        DigestVerificationResult result = NewVerifier(DigestAlgorithm.Sha256, DigestAlgorithm.Md5).Verify(null, "INVITE", Passwords);

        Assert.Equal(DigestVerificationStatus.NoCredentials, result.Status);
        Assert.False(result.IsAuthenticated);
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], result.Challenges.Select(c => c.Algorithm));
        Assert.All(result.Challenges, c => Assert.True(c.OffersAuth && !c.Stale && c.Realm == "biloxi.com"));
        Assert.NotEqual(result.Challenges[0].Nonce, result.Challenges[1].Nonce);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Digest username=\"bob\"")]
    [InlineData("Digest \"unterminated")]
    public void Missing_or_garbage_credentials_are_malformed_and_challenged(string? header)
    {
        DigestVerificationResult result = NewVerifier().Verify(header, "REGISTER", Passwords);

        Assert.Equal(DigestVerificationStatus.Malformed, result.Status);
        Assert.NotNull(result.Challenge);
    }

    [Fact]
    public void Bad_options_are_rejected_with_a_message()
    {
        Assert.Contains("at least 16 bytes", Assert.Throws<ArgumentException>(() =>
            new DigestVerifier("r", new DigestVerifierOptions { NonceKey = new byte[4] })).Message, StringComparison.Ordinal);
        Assert.Contains("At least one digest algorithm", Assert.Throws<ArgumentException>(() =>
            new DigestVerifier("r", new DigestVerifierOptions { Algorithms = [] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new DigestVerifier(""));
    }
}
