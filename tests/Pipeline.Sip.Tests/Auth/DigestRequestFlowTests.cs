using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

/// <summary>The 401/407 loop a request sender runs, with <see cref="DigestVerifier"/> as the server.</summary>
public sealed class DigestRequestFlowTests
{
    private static string? Passwords(string user) => user == "bob" ? "zanzibar" : null;

    private static IEnumerable<string> Headers(IReadOnlyList<DigestChallenge> challenges) => challenges.Select(c => c.ToHeaderValue());

    [Theory]
    [InlineData("REGISTER", "sip:biloxi.com")]
    [InlineData("INVITE", "sip:alice@atlanta.com")]
    [InlineData("BYE", "sip:alice@192.0.2.4:5060;transport=udp")]
    [InlineData("REFER", "sip:alice@192.0.2.4")]
    [InlineData("NOTIFY", "sip:alice@192.0.2.4")]
    public void Any_request_is_answered_once_and_accepted(string method, string uri)
    {
        var server = new DigestVerifier("biloxi.com", new DigestVerifierOptions { Algorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] });
        var client = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));
        DigestVerificationResult first = server.Verify(null, method, Passwords, uri);

        Assert.True(client.TryAnswer(Headers(first.Challenges), [], method, uri, default, out IReadOnlyList<DigestAuthorization> answers, out string? error), error);

        DigestAuthorization answer = Assert.Single(answers);
        Assert.Equal(DigestAlgorithm.Sha256, answer.Algorithm);
        Assert.True(server.Verify(answer.HeaderValue, method, Passwords, uri).IsAuthenticated);
    }

    [Fact]
    public void Wrong_password_ends_after_one_retry()
    {
        var server = new DigestVerifier("biloxi.com");
        var client = new DigestAuthenticator(new DigestCredentials("bob", "wrong"));
        DigestVerificationResult first = server.Verify(null, "REGISTER", Passwords);
        Assert.True(client.TryAnswer(Headers(first.Challenges), [], "REGISTER", "sip:biloxi.com", default, out var answers, out _));
        DigestVerificationResult second = server.Verify(answers[0].HeaderValue, "REGISTER", Passwords);

        bool again = client.TryAnswer(Headers(second.Challenges), answers, "REGISTER", "sip:biloxi.com", default, out var none, out string? error);

        Assert.False(again);
        Assert.Empty(none);
        Assert.Equal("credentials rejected for realm 'biloxi.com'", error);
    }

    [Fact]
    public void Each_challenging_realm_gets_its_own_answer()
    {
        // Two proxies (forking) each add a Proxy-Authenticate to the 407.
        var p1 = new DigestVerifier("proxy1");
        var p2 = new DigestVerifier("proxy2");
        var store = new CredentialStore();
        store.Add(new DigestCredentials("bob", "one", "proxy1"));
        store.Add(new DigestCredentials("bob", "two", "proxy2"));
        var client = new DigestAuthenticator(store);
        string[] headers = [p1.CreateChallenge().ToHeaderValue(), p2.CreateChallenge().ToHeaderValue()];

        Assert.True(client.TryAnswer(headers, [], "INVITE", "sip:alice@atlanta.com", default, out var answers, out string? error), error);

        Assert.Equal(2, answers.Count);
        Assert.True(p1.Verify(answers.Single(a => a.Realm == "proxy1").HeaderValue, "INVITE", _ => "one").IsAuthenticated);
        Assert.True(p2.Verify(answers.Single(a => a.Realm == "proxy2").HeaderValue, "INVITE", _ => "two").IsAuthenticated);
    }

    [Fact]
    public void Unusable_challenge_or_missing_credentials_are_final_with_a_reason()
    {
        var client = new DigestAuthenticator(new DigestCredentials("bob", "pw", "biloxi.com"));

        Assert.False(client.TryAnswer(["Basic realm=\"x\""], [], "INVITE", "sip:a@b", default, out _, out string? e1));
        Assert.False(client.TryAnswer(["Digest realm=\"other\", nonce=\"n\""], [], "INVITE", "sip:a@b", default, out _, out string? e2));

        Assert.Equal("unusable challenge: no Digest challenge", e1);
        Assert.Equal("no credentials for realm 'other'", e2);
    }

    [Fact]
    public void Line_break_inside_a_quoted_challenge_value_never_reaches_the_answer()
    {
        var client = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));

        Assert.True(client.TryAnswer(["Digest realm=\"bad\r\nVia: injected\", nonce=\"n\""], [], "INVITE", "sip:a@b", default, out var answers, out _));

        Assert.DoesNotContain('\n', answers[0].HeaderValue);
        Assert.DoesNotContain('\r', answers[0].HeaderValue);
        Assert.Equal("badVia: injected", answers[0].Realm);
    }

    [Fact]
    public void Line_break_in_the_request_uri_is_an_argument_error()
    {
        var client = new DigestAuthenticator(new DigestCredentials("bob", "zanzibar"));

        Assert.Throws<ArgumentException>(() => client.Authorize(new DigestChallenge("r", "n"), "INVITE", "sip:a@b\r\nX: y"));
    }
}
