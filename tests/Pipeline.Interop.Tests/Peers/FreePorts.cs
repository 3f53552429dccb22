using System.Net;
using System.Net.Sockets;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Hands out ports on 127.0.0.1 that were free a moment ago, for peers that need a fixed port on
/// their command line (SIPp -p/-mp, baresip sip_listen). Ports are picked at random in
/// 20000–29999 (below the Linux ephemeral range, where port-0 binds of parallel tests land) and
/// checked by binding; a port is never handed out twice in one test process. A race with another
/// process is still possible, so peers retry with new ports when they fail to bind.
/// </summary>
internal static class FreePorts
{
    private const int Low = 20000;
    private const int High = 29999;
    private static readonly HashSet<int> Issued = [];
    private static readonly object Gate = new();

    /// <summary>One free UDP port.</summary>
    public static int Udp() => Block(1, tcpToo: false, even: false);

    /// <summary>One port free for both UDP and TCP (SIP on both transports).</summary>
    public static int UdpAndTcp() => Block(1, tcpToo: true, even: false);

    /// <summary>An even port P with P and P+1 free for UDP (RTP on P, RTCP on P+1).</summary>
    public static int RtpPair() => Block(2, tcpToo: false, even: true);

    /// <summary>
    /// The first port of <paramref name="count"/> consecutive ports, each free for UDP (and for TCP
    /// when <paramref name="tcpToo"/>); the first port is even when <paramref name="even"/>.
    /// </summary>
    public static int Block(int count, bool tcpToo, bool even)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var first = Random.Shared.Next(Low, High - count);
            if (even)
            {
                first &= ~1;
            }

            lock (Gate)
            {
                var ok = true;
                for (var p = first; p < first + count && ok; p++)
                {
                    ok = !Issued.Contains(p) && IsUdpFree(p) && (!tcpToo || IsTcpFree(p));
                }

                if (ok)
                {
                    for (var p = first; p < first + count; p++)
                    {
                        Issued.Add(p);
                    }

                    return first;
                }
            }
        }

        throw new InvalidOperationException($"no block of {count} free ports found on 127.0.0.1");
    }

    /// <summary>True if a UDP socket can bind 127.0.0.1:<paramref name="port"/> right now.</summary>
    public static bool IsUdpFree(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>True if a TCP listener can bind 127.0.0.1:<paramref name="port"/> right now.</summary>
    public static bool IsTcpFree(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
