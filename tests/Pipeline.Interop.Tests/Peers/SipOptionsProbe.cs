using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>Sends one SIP OPTIONS over UDP and waits for its 200: "is a SIP server listening there?"</summary>
internal static class SipOptionsProbe
{
    /// <summary>True when <paramref name="target"/> answers 200 to an OPTIONS (request-URI sip:IP:PORT) within <paramref name="timeout"/>.</summary>
    public static async Task<bool> PingAsync(IPEndPoint target, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var udp = new UdpClient(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N")[..16];
        var host = target.ToString();
        var request =
            $"OPTIONS sip:{host} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP {local};branch={branch};rport\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:probe@{local}>;tag={branch[7..]}\r\n" +
            $"To: <sip:{host}>\r\n" +
            $"Call-ID: {branch}@probe\r\n" +
            "CSeq: 1 OPTIONS\r\n" +
            "Content-Length: 0\r\n\r\n";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await udp.SendAsync(Encoding.ASCII.GetBytes(request), target, cts.Token).ConfigureAwait(false);
            while (true)
            {
                var result = await udp.ReceiveAsync(cts.Token).ConfigureAwait(false);
                var text = Encoding.ASCII.GetString(result.Buffer);
                if (text.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && text.Contains(branch, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false; // ICMP port unreachable: nobody listens
        }
    }
}
