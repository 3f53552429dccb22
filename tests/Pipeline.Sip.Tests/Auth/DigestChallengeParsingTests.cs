using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

public sealed class DigestChallengeParsingTests
{
    private static DigestChallenge Parse(string header)
    {
        Assert.True(DigestChallenge.TryParse(header, out DigestChallenge? challenge, out string? error), error);
        Assert.Null(error);
        return challenge!;
    }

    [Fact]
    public void Parses_every_parameter_of_a_typical_sip_challenge()
    {
        DigestChallenge c = Parse("Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth\", " +
            "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5");

        Assert.Equal("atlanta.com", c.Realm);
        Assert.Equal("sip:ss1.carrier.com", c.Domain);
        Assert.Equal("f84f1cec41e6cbe5aea9c8e88d359", c.Nonce);
        Assert.Equal("", c.Opaque);
        Assert.False(c.Stale);
        Assert.Equal(DigestAlgorithm.Md5, c.Algorithm);
        Assert.True(c.AlgorithmSpecified);
        Assert.True(c.OffersAuth);
        Assert.False(c.OffersAuthInt);
        Assert.Equal(DigestQop.Auth, c.PreferredQop);
    }

    [Fact]
    public void Absent_algorithm_means_md5_and_absent_qop_means_none()
    {
        DigestChallenge c = Parse("Digest realm=\"r\", nonce=\"n\"");

        Assert.Equal(DigestAlgorithm.Md5, c.Algorithm);
        Assert.False(c.AlgorithmSpecified);
        Assert.Equal(DigestQop.None, c.PreferredQop);
        Assert.Null(c.Opaque);
        Assert.Null(c.Domain);
    }

    [Theory]
    [InlineData("Digest   realm = \"r\" ,nonce=\"n\",\tstale = true")]
    [InlineData("digest\r\n realm=\"r\",\r\n\tnonce=\"n\", stale=TRUE")]
    [InlineData("DIGEST stale=True,,, nonce=n , realm=\"r\"")]
    public void Tolerates_odd_whitespace_case_folding_and_parameter_order(string header)
    {
        DigestChallenge c = Parse(header);

        Assert.Equal("r", c.Realm);
        Assert.Equal("n", c.Nonce);
        Assert.True(c.Stale);
    }

    [Fact]
    public void Unescapes_quoted_pairs()
    {
        DigestChallenge c = Parse("Digest realm=\"the \\\"big\\\" \\\\ realm, inc\", nonce=\"a\\bc\"");

        Assert.Equal("the \"big\" \\ realm, inc", c.Realm);
        Assert.Equal("abc", c.Nonce);
    }

    [Fact]
    public void Ignores_unknown_parameters_and_other_schemes()
    {
        DigestChallenge c = Parse("Basic realm=\"basic\", Digest foo=bar, realm=\"r\", x-custom=\"q,\\\"w\", nonce=\"n\", userhash=true, charset=UTF-8");

        Assert.Equal("r", c.Realm);
        Assert.Equal("n", c.Nonce);
    }

    [Fact]
    public void Chooses_auth_when_auth_and_auth_int_are_offered()
    {
        Assert.Equal(DigestQop.Auth, Parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int,auth\"").PreferredQop);
        Assert.Equal(DigestQop.AuthInt, Parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"").PreferredQop);
        Assert.Equal(DigestQop.Auth, Parse("Digest realm=\"r\", nonce=\"n\", qop=auth").PreferredQop);
    }

    [Theory]
    [InlineData("MD5", DigestAlgorithm.Md5)]
    [InlineData("md5-sess", DigestAlgorithm.Md5Sess)]
    [InlineData("SHA-256", DigestAlgorithm.Sha256)]
    [InlineData("sha-256-SESS", DigestAlgorithm.Sha256Sess)]
    [InlineData("\"SHA-256\"", DigestAlgorithm.Sha256)]
    public void Parses_each_supported_algorithm(string token, DigestAlgorithm expected)
    {
        Assert.Equal(expected, Parse($"Digest realm=\"r\", nonce=\"n\", algorithm={token}").Algorithm);
    }

    [Fact]
    public void Picks_the_strongest_of_several_challenges_in_one_header()
    {
        DigestChallenge c = Parse("Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\", " +
            "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-512-256, qop=\"auth\", " +
            "Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-256, qop=\"auth\"");

        Assert.Equal(DigestAlgorithm.Sha256, c.Algorithm);
        Assert.Equal("n3", c.Nonce);
    }

    [Fact]
    public void Lists_all_supported_challenges_in_header_order()
    {
        Assert.True(DigestChallenge.TryParseAll(
            "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256, Digest realm=\"r\", nonce=\"n2\"",
            out IReadOnlyList<DigestChallenge> all, out _));

        Assert.Equal(["n1", "n2"], all.Select(c => c.Nonce));
    }

    [Fact]
    public void Picks_the_strongest_across_several_header_lines()
    {
        Assert.True(DigestChallenge.TryParse(
            ["Digest realm=\"r\", nonce=\"n1\", algorithm=MD5", "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256"],
            out DigestChallenge? c, out _));

        Assert.Equal("n2", c!.Nonce);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Basic realm=\"x\"", "no Digest challenge")]
    [InlineData("Digest nonce=\"n\"", "without realm")]
    [InlineData("Digest realm=\"r\"", "without nonce")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", "unsupported Digest algorithm 'SHA-512-256'")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", "unsupported Digest qop")]
    [InlineData("Digest realm=\"r\", nonce=\"n", "unterminated")]
    [InlineData("Digest realm=\"r, nonce=\"n\"", "unexpected character")]
    [InlineData("realm=\"r\", nonce=\"n\"", "before any scheme")]
    [InlineData("Digest realm=\"r\", @nonce=\"n\"", "unexpected character '@'")]
    public void Rejects_unusable_challenges_with_a_reason(string header, string reason)
    {
        Assert.False(DigestChallenge.TryParse(header, out DigestChallenge? c, out string? error));
        Assert.Null(c);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_challenge_parses_back_to_the_same_values()
    {
        var original = new DigestChallenge("a \"quoted\" realm", "n/+=")
        {
            Opaque = "op",
            Stale = true,
            Algorithm = DigestAlgorithm.Sha256Sess,
            OffersAuth = true,
            OffersAuthInt = true,
            Domain = "sip:a.example sip:b.example",
        };

        DigestChallenge parsed = Parse(original.ToHeaderValue());

        Assert.Equal(original.Realm, parsed.Realm);
        Assert.Equal(original.Nonce, parsed.Nonce);
        Assert.Equal(original.Opaque, parsed.Opaque);
        Assert.True(parsed.Stale);
        Assert.Equal(DigestAlgorithm.Sha256Sess, parsed.Algorithm);
        Assert.True(parsed.OffersAuth && parsed.OffersAuthInt);
        Assert.Equal(original.Domain, parsed.Domain);
    }

    [Fact]
    public void Authorization_header_parses_back_with_escaped_username()
    {
        var auth = new DigestAuthenticator(new CredentialStore(new DigestCredentials("we\"ird\\user", "pw")), () => "cn");
        DigestAuthorization made = auth.Authorize(new DigestChallenge("r", "n") { OffersAuth = true, Opaque = "o" }, "BYE", "sip:x@y");

        Assert.True(DigestAuthorization.TryParse(made.HeaderValue, out DigestAuthorization? parsed, out string? error), error);

        Assert.Equal("we\"ird\\user", parsed!.Username);
        Assert.Equal(made.Response, parsed.Response);
        Assert.Equal(1u, parsed.NonceCount);
        Assert.Equal("cn", parsed.Cnonce);
        Assert.Equal("o", parsed.Opaque);
        Assert.Equal("sip:x@y", parsed.Uri);
        Assert.Equal(DigestQop.Auth, parsed.Qop);
    }

    [Theory]
    [InlineData("Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"", "without username")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, nc=00000001", "without cnonce")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=1", "8 hex digits")]
    [InlineData("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "not Digest")]
    public void Malformed_authorization_headers_are_rejected_with_a_reason(string header, string reason)
    {
        Assert.False(DigestAuthorization.TryParse(header, out _, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
