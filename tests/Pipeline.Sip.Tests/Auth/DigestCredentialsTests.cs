using Pipeline.Sip.Auth;

namespace Pipeline.Sip.Tests.Auth;

public sealed class DigestCredentialsTests
{
    [Fact]
    public void Empty_user_name_is_rejected_with_a_message_naming_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DigestCredentials("", "pw"));
        Assert.Equal("username", ex.ParamName);
        Assert.Contains("user name must not be empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_break_in_user_name_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DigestCredentials("bob\r\nVia: x", "pw"));
        Assert.Contains("line break", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_password_is_rejected_but_empty_password_is_allowed()
    {
        Assert.Throws<ArgumentNullException>(() => new DigestCredentials("bob", null!));
        Assert.Equal("bob", new DigestCredentials("bob", "").Username);
    }

    [Fact]
    public void Empty_realm_is_rejected_with_a_hint_to_use_null()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DigestCredentials("bob", "pw", realm: ""));
        Assert.Contains("pass null", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", DigestAlgorithm.Md5)]
    [InlineData("zz3d1006810044fd79f39476209ae31a", DigestAlgorithm.Md5)]
    [InlineData("9e2d1006810044fd79f39476209ae31a", DigestAlgorithm.Sha256)]
    public void Ha1_of_the_wrong_length_or_not_hex_is_rejected(string ha1, DigestAlgorithm algorithm)
    {
        var ex = Assert.Throws<ArgumentException>(() => DigestCredentials.FromHa1("bob", "r", ha1, algorithm));
        Assert.Equal("ha1", ex.ParamName);
        Assert.Contains("hex digits", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_credentials_must_not_have_a_realm()
    {
        var store = new CredentialStore();
        Assert.Throws<ArgumentException>(() => store.SetDefault(new DigestCredentials("bob", "pw", "r")));
    }

    [Fact]
    public void Store_falls_back_to_the_default_and_forgets_removed_realms()
    {
        var store = new CredentialStore();
        Assert.False(store.TryGet("r", out _));
        store.Add(new DigestCredentials("a", "pw", "r"));
        store.Add(new DigestCredentials("d", "pw"));

        Assert.True(store.TryGet("r", out DigestCredentials? forR));
        Assert.Equal("a", forR!.Username);
        Assert.True(store.Remove("r"));
        Assert.True(store.TryGet("r", out DigestCredentials? after));
        Assert.Equal("d", after!.Username);
    }

    [Fact]
    public void Ha1_is_the_md5_of_user_realm_and_password()
    {
        // Expected value from: printf '%s' 'Mufasa:testrealm@host.com:Circle Of Life' | md5sum
        Assert.Equal("939e7578ed9e3c518a452acee763bce9", DigestCredentials.ComputeHa1("Mufasa", "testrealm@host.com", "Circle Of Life"));
    }
}
