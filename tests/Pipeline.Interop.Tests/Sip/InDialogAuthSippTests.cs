using System.Net;
using System.Text;
using Pipeline.Interop.Tests.Peers;
using Pipeline.Sip;
using Pipeline.Sip.Auth;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;
using Pipeline.Sip.Messages;

namespace Pipeline.Interop.Tests.Sip;

/// <summary>
/// Our REFER and NOTIFY against SIPp as the challenging peer: SIPp's own digest check (verifyauth) must accept the
/// REFER resent after its 401, and the NOTIFY resent after its 407 must carry Proxy-Authorization for its realm.
/// </summary>
public sealed class InDialogAuthSippTests
{
    [SkippableFact]
    public async Task Sipp_verifies_the_credentials_of_a_refer_challenged_401_and_a_notify_challenged_407()
    {
        Tools.Require("sipp");
        await using var sipp = await SippPeer.StartAsync(new SippOptions
        {
            Scenario = "uas_refer_auth.xml",
            Service = "peer",
            Timeout = TimeSpan.FromSeconds(20),
            Variables = new Dictionary<string, string> { ["USER"] = "agent1", ["PASSWORD"] = "pw-agent1", ["REALM"] = "sipp.test" },
        });
        int rtp = FreePorts.Block(20, tcpToo: false, even: true);
        var options = new EndpointOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            UserName = "agent1",
            Credentials = new DigestCredentials("agent1", "pw-agent1"),
        };
        await using var endpoint = new Endpoint(options, new CallMediaFactory(new CallMediaOptions { RtpPortLow = rtp, RtpPortHigh = rtp + 19 }));
        await endpoint.StartAsync();

        try
        {
            var call = await endpoint.CallAsync(sipp.Uri).WaitAsync(TimeSpan.FromSeconds(10));
            var refer = await call.ReferAsync(SipUri.Parse("sip:carol@127.0.0.1:5999")).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(202, refer.StatusCode);
            var notify = await call.NotifyAsync("refer", "terminated;reason=noresource", "message/sipfrag;version=2.0", Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\n")).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(200, notify.StatusCode);
            await call.HangupAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nSIPp's messages so far:\n{sipp.MessageLogSoFar()}");
        }

        var result = await sipp.AssertSucceededAsync(TimeSpan.FromSeconds(15));
        Assert.Contains("Proxy-Authorization:", result.MessageLog, StringComparison.Ordinal);
    }
}
