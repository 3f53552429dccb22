using System.Net;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Calls;

public sealed class EndpointOptionsTests
{
    [Fact]
    public void Unknown_codec_is_rejected_naming_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Endpoint(new EndpointOptions { Codecs = ["PCMU", "AMR"] }, new FakeMediaFactory()));
        Assert.Contains("AMR", ex.Message);
    }

    [Fact]
    public void T2_below_T1_is_rejected_naming_T2()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EndpointOptions { T1 = TimeSpan.FromSeconds(2), T2 = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Equal("T2", ex.ParamName);
    }

    [Fact]
    public void Bad_user_name_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EndpointOptions { UserName = "a b" }.Validate());
        Assert.Equal("UserName", ex.ParamName);
    }

    [Fact]
    public async Task Port_0_binds_an_os_chosen_port_and_local_uri_uses_it()
    {
        await using var ep = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), UserName = "carol" }, new FakeMediaFactory());
        await ep.StartAsync();
        Assert.NotEqual(0, ep.LocalEndPoint.Port);
        Assert.Equal($"sip:carol@127.0.0.1:{ep.LocalEndPoint.Port}", ep.LocalUri.ToString());
    }

    [Fact]
    public async Task CallAsync_with_a_bad_uri_throws_ArgumentException()
    {
        await using var ep = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, new FakeMediaFactory());
        await ep.StartAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => ep.CallAsync("mailto:x@example.com"));
    }

    public static TheoryData<EndpointOptions, string> BadProtectionOptions() => new()
    {
        { new EndpointOptions { MaxMessageSize = 100 }, "MaxMessageSize" },
        { new EndpointOptions { MaxMessageSize = 70_000 }, "MaxMessageSize" },
        { new EndpointOptions { MaxServerTransactions = 5 }, "MaxServerTransactions" },
        { new EndpointOptions { MaxDialogs = 0 }, "MaxDialogs" },
        { new EndpointOptions { RequestsPerSecondPerSource = -1 }, "RequestsPerSecondPerSource" },
        { new EndpointOptions { RequestBurstPerSource = 0 }, "RequestBurstPerSource" },
        { new EndpointOptions { OverloadRetryAfter = TimeSpan.FromSeconds(-1) }, "OverloadRetryAfter" },
        { new EndpointOptions { MaxQueuedMessages = 0 }, "MaxQueuedMessages" },
        { new EndpointOptions { IncomingCallTimeout = TimeSpan.Zero }, "IncomingCallTimeout" },
    };

    [Theory]
    [MemberData(nameof(BadProtectionOptions))]
    public void Bad_protection_option_is_rejected_naming_it(EndpointOptions options, string name)
    {
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Protection_defaults_are_valid_and_documented_values()
    {
        var o = new EndpointOptions();
        o.Validate();
        Assert.Equal(65_536, o.MaxMessageSize);
        Assert.Equal(50_000, o.MaxServerTransactions);
        Assert.Equal(1_000, o.MaxDialogs);
        Assert.Equal(1_000, o.RequestsPerSecondPerSource);
        Assert.True(o.RejectExcessInvites);
        new EndpointOptions { RequestsPerSecondPerSource = 0, IncomingCallTimeout = Timeout.InfiniteTimeSpan }.Validate();
    }
}
