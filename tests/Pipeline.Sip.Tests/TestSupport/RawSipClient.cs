using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>A bare UDP socket that sends hand-written SIP and reads what comes back.</summary>
internal sealed class RawSipClient : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public void Send(IPEndPoint to, byte[] data) => _udp.Send(data, data.Length, to);

    public void Send(IPEndPoint to, string text) => Send(to, Encoding.UTF8.GetBytes(text));

    /// <summary>The next datagram parsed as SIP, or null if nothing came within <paramref name="timeout"/>.</summary>
    public async Task<SipMessage?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var r = await _udp.ReceiveAsync(cts.Token);
            var m = SipParser.Parse(r.Buffer, out var error);
            // A 400 to a request without Call-ID cannot carry one; anything else must be valid.
            Assert.True(error is null || (m is SipResponse { StatusCode: 400 } && error.Header == "Call-ID"), "our own endpoint sent an unparseable message: " + error + "\n" + Encoding.UTF8.GetString(r.Buffer));
            return m;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The next response that is not 1xx (skips 100/180).</summary>
    public async Task<SipResponse?> FinalResponseAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (m is SipResponse { IsProvisional: false } r)
            {
                return r;
            }

            if (m is null)
            {
                return null;
            }
        }

        return null;
    }

    public string Options(string branch = "z9hG4bKopt1", string callId = "opt-1") =>
        $"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{Port};branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    public void Dispose() => _udp.Dispose();
}
