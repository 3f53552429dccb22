using System.Text;
using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

/// <summary>The worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1, plus SIP-shaped vectors computed independently.</summary>
public sealed class DigestWorkedExampleTests
{
    private const string Rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Rfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private const string Rfc7616Opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    private static DigestAuthorization Answer(string challengeHeader, DigestCredentials credentials, string cnonce, string method, string uri)
    {
        Assert.True(DigestChallenge.TryParse(challengeHeader, out DigestChallenge? challenge, out string? error), error);
        var authenticator = new DigestAuthenticator(new CredentialStore(credentials), () => cnonce);
        return authenticator.Authorize(challenge!, method, uri);
    }

    [Fact]
    public void Rfc2617_section_3_5_example_gives_the_published_response()
    {
        const string header = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", " +
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("Mufasa", "Circle Of Life"), "0a4f113b", "GET", "/dir/index.html");

        Assert.Equal("6629fae49393a05397450978507c4ef1", a.Response);
        Assert.Equal(DigestQop.Auth, a.Qop);
        Assert.Equal("00000001", a.NonceCountText);
        Assert.Contains("response=\"6629fae49393a05397450978507c4ef1\"", a.HeaderValue, StringComparison.Ordinal);
        Assert.Contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", a.HeaderValue, StringComparison.Ordinal);
        Assert.Contains("cnonce=\"0a4f113b\"", a.HeaderValue, StringComparison.Ordinal);
        Assert.Contains("qop=auth,", a.HeaderValue, StringComparison.Ordinal);
        Assert.Contains("nc=00000001", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc7616_section_3_9_1_md5_example_gives_the_published_response()
    {
        string header = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, " +
            $"nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("Mufasa", "Circle of Life"), Rfc7616Cnonce, "GET", "/dir/index.html");

        Assert.Equal("8ca523f5e9506fed4657c9700eebdbec", a.Response);
        Assert.Equal(DigestAlgorithm.Md5, a.Algorithm);
        Assert.Contains("algorithm=MD5", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc7616_section_3_9_1_sha256_example_gives_the_published_response()
    {
        string header = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, " +
            $"nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("Mufasa", "Circle of Life"), Rfc7616Cnonce, "GET", "/dir/index.html");

        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", a.Response);
        Assert.Contains("algorithm=SHA-256", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc7616_header_offering_sha256_and_md5_is_answered_with_sha256()
    {
        // RFC 7616 §3.9.1 sends both challenges in one 401; the client should pick SHA-256.
        string header = $"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\", " +
            $"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("Mufasa", "Circle of Life"), Rfc7616Cnonce, "GET", "/dir/index.html");

        Assert.Equal(DigestAlgorithm.Sha256, a.Algorithm);
        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", a.Response);
    }

    [Fact]
    public void Precomputed_ha1_gives_the_same_response_as_the_password()
    {
        string ha1 = DigestCredentials.ComputeHa1("Mufasa", "http-auth@example.org", "Circle of Life", DigestAlgorithm.Sha256);
        string header = $"Digest realm=\"http-auth@example.org\", qop=\"auth\", algorithm=SHA-256, nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"";

        DigestAuthorization a = Answer(header, DigestCredentials.FromHa1("Mufasa", "http-auth@example.org", ha1, DigestAlgorithm.Sha256),
            Rfc7616Cnonce, "GET", "/dir/index.html");

        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", a.Response);
    }

    // Expected values below were computed outside .NET with coreutils md5sum/sha256sum, step by step:
    //   HA1 = H(user:realm:pass), HA2 = H(method:uri), response = H(HA1:nonce:nc:cnonce:qop:HA2).
    [Fact]
    public void Sip_register_answer_matches_an_independent_computation()
    {
        const string header = "Digest realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", algorithm=MD5, qop=\"auth\", opaque=\"\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("bob", "zanzibar"), "0a4f113b", "REGISTER", "sip:biloxi.com");

        Assert.Equal(SipRegisterMd5Expected, a.Response);
        Assert.StartsWith("Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:biloxi.com\"", a.HeaderValue, StringComparison.Ordinal);
        Assert.Contains("opaque=\"\"", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Sip_invite_without_qop_uses_the_rfc2069_form()
    {
        const string header = "Digest realm=\"biloxi.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("bob", "zanzibar"), "unused", "INVITE", "sip:alice@atlanta.com");

        Assert.Equal(SipInviteNoQopExpected, a.Response);
        Assert.Equal(DigestQop.None, a.Qop);
        Assert.DoesNotContain("cnonce", a.HeaderValue, StringComparison.Ordinal);
        Assert.DoesNotContain("nc=", a.HeaderValue, StringComparison.Ordinal);
        Assert.DoesNotContain("qop", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Sha256_sess_answer_matches_an_independent_computation()
    {
        const string header = "Digest realm=\"biloxi.com\", nonce=\"abc123\", algorithm=SHA-256-sess, qop=\"auth\"";

        DigestAuthorization a = Answer(header, new DigestCredentials("bob", "zanzibar"), "c0ffee", "BYE", "sip:alice@192.0.2.4");

        Assert.Equal(SipByeSha256SessExpected, a.Response);
        Assert.Contains("algorithm=SHA-256-sess", a.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Auth_int_covers_the_body()
    {
        const string header = "Digest realm=\"biloxi.com\", nonce=\"abc123\", qop=\"auth-int\"";
        byte[] body = Encoding.ASCII.GetBytes("v=0\r\n");
        Assert.True(DigestChallenge.TryParse(header, out DigestChallenge? challenge, out _));

        var auth = new DigestAuthenticator(new CredentialStore(new DigestCredentials("bob", "zanzibar")), () => "c0ffee");
        DigestAuthorization a = auth.Authorize(challenge!, "INVITE", "sip:alice@atlanta.com", body);
        var auth2 = new DigestAuthenticator(new CredentialStore(new DigestCredentials("bob", "zanzibar")), () => "c0ffee");
        DigestAuthorization other = auth2.Authorize(challenge!, "INVITE", "sip:alice@atlanta.com", Encoding.ASCII.GetBytes("v=1\r\n"));

        Assert.Equal(DigestQop.AuthInt, a.Qop);
        Assert.Equal(SipInviteAuthIntExpected, a.Response);
        Assert.NotEqual(a.Response, other.Response);
        Assert.Contains("qop=auth-int", a.HeaderValue, StringComparison.Ordinal);
    }

    internal const string SipRegisterMd5Expected = "9e2d1006810044fd79f39476209ae31a";
    internal const string SipInviteNoQopExpected = "240ac31b71cac62e00ea935e7fc10f71";
    internal const string SipByeSha256SessExpected = "efc81cad2c6b1b007e9970dce0a460afd7e6477397ca6b7a4ad236c46032c32d";
    internal const string SipInviteAuthIntExpected = "104af738139cc7cb421c82d1e2b04e6b";
}
