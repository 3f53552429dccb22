using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Core.Rtp;

/// <summary>
/// The two UDP sockets of one RTP session: RTP on an even port, RTCP on the next (odd) port (RFC 3550 §11).
/// <code>
///   Bind(range) ──► RTP :2n  ──ReceiveRtpAsync(handler)──►  one async loop, SocketAddress reused, buffer from a shared pool
///               └─► RTCP:2n+1 ──ReceiveRtcpAsync(handler)─►  one async loop
///   SendRtp/SendRtcp(bytes, SocketAddress)  (synchronous, non-blocking UDP send)
/// </code>
/// No threads of its own: the loops are async methods that the caller awaits (the RTP nodes run them as their
/// node loop). Steady state allocates nothing per datagram.
/// </summary>
public sealed class RtpSocketPair : IAsyncDisposable
{
    /// <summary>Receive buffer size: larger than any RTP/RTCP datagram we accept.</summary>
    public const int ReceiveBufferSize = 2048;

    private static int _nextHint = Random.Shared.Next(0, 1 << 30);

    // Receive buffers are shared by every session in the process and are not pinned: on Linux a socket pins the
    // buffer only for the receive call itself, so per-socket pinned arrays would only grow the pinned heap.
    private static readonly Media.MediaPool<byte[]> ReceiveBuffers = new(static _ => new byte[ReceiveBufferSize], maxRetained: 1024);
    private readonly ILogger _logger;
    private int _disposed;

    private RtpSocketPair(Socket rtp, Socket rtcp, ILogger logger)
    {
        RtpSocket = rtp;
        RtcpSocket = rtcp;
        _logger = logger;
        RtpEndPoint = (IPEndPoint)rtp.LocalEndPoint!;
        RtcpEndPoint = (IPEndPoint)rtcp.LocalEndPoint!;
    }

    public IPEndPoint RtpEndPoint { get; }

    public IPEndPoint RtcpEndPoint { get; }

    public AddressFamily AddressFamily => RtpSocket.AddressFamily;

    internal Socket RtpSocket { get; }

    internal Socket RtcpSocket { get; }

    /// <summary>
    /// Binds RTP on an even port and RTCP on the port above it, both in [<paramref name="minPort"/>, <paramref name="maxPort"/>],
    /// starting at a random even port and moving on when either port is taken.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range holds no even/odd port pair.</exception>
    /// <exception cref="SocketException">Every pair in the range is taken.</exception>
    public static RtpSocketPair Bind(IPAddress localAddress, int minPort = 10000, int maxPort = 20000, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        if (minPort < 1 || maxPort > 65535 || minPort > maxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(minPort), $"RTP port range {minPort}-{maxPort} is not within 1-65535 or is reversed.");
        }

        int first = (minPort + 1) & ~1; // first even port
        int pairs = (maxPort - first + 1) / 2; // pairs (2n, 2n+1) inside the range
        if (pairs <= 0) throw new ArgumentOutOfRangeException(nameof(maxPort), $"RTP port range {minPort}-{maxPort} holds no even/odd port pair.");

        int start = (int)((uint)Interlocked.Increment(ref _nextHint) % (uint)pairs);
        SocketException? last = null;
        for (int i = 0; i < pairs; i++)
        {
            int port = first + (2 * ((start + i) % pairs));
            Socket? rtp = null;
            Socket? rtcp = null;
            try
            {
                rtp = Open(localAddress, port);
                rtcp = Open(localAddress, port + 1);
                return new RtpSocketPair(rtp, rtcp, logger ?? NullLogger.Instance);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                last = ex;
                rtp?.Dispose();
                rtcp?.Dispose();
            }
            catch
            {
                rtp?.Dispose();
                rtcp?.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.AddressAlreadyInUse);
    }

    private static Socket Open(IPAddress address, int port)
    {
        var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any)) s.DualMode = true;
            // No SO_REUSEADDR (ExclusiveAddressUse = false): on Linux it lets a second UDP socket bind a taken port,
            // and the range search would hand two calls the same RTP port.
            s.Bind(new IPEndPoint(address, port));
            s.ReceiveBufferSize = 256 * 1024;
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Serializes <paramref name="endPoint"/> for <see cref="SendRtp"/>/<see cref="SendRtcp"/>, mapping IPv4 to IPv6 on a dual-mode socket.</summary>
    /// <exception cref="ArgumentException">The address family cannot be reached from these sockets.</exception>
    public SocketAddress ToSocketAddress(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.AddressFamily == AddressFamily) return endPoint.Serialize();
        if (AddressFamily == AddressFamily.InterNetworkV6 && RtpSocket.DualMode)
        {
            return new IPEndPoint(endPoint.Address.MapToIPv6(), endPoint.Port).Serialize();
        }

        throw new ArgumentException($"Remote {endPoint} is {endPoint.AddressFamily} but the RTP sockets are bound to {RtpEndPoint} ({AddressFamily}).", nameof(endPoint));
    }

    /// <summary>Sends one RTP datagram. Returns false (and logs at debug) when the OS refuses it: a send error never breaks a call.</summary>
    public bool SendRtp(ReadOnlySpan<byte> datagram, SocketAddress remote) => Send(RtpSocket, datagram, remote);

    /// <summary>Sends one RTCP datagram; see <see cref="SendRtp"/>.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> datagram, SocketAddress remote) => Send(RtcpSocket, datagram, remote);

    /// <summary>Receives RTP datagrams until cancelled or disposed, calling <paramref name="handler"/> for each.</summary>
    public Task ReceiveRtpAsync(DatagramHandler handler, CancellationToken cancellationToken) => ReceiveLoopAsync(RtpSocket, handler, cancellationToken);

    /// <summary>Receives RTCP datagrams until cancelled or disposed, calling <paramref name="handler"/> for each.</summary>
    public Task ReceiveRtcpAsync(DatagramHandler handler, CancellationToken cancellationToken) => ReceiveLoopAsync(RtcpSocket, handler, cancellationToken);

    private bool Send(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress remote)
    {
        try
        {
            socket.SendTo(datagram, SocketFlags.None, remote);
            return true;
        }
        catch (SocketException ex)
        {
            _logger.LogDebug("UDP send from {Local} failed: {Error}", socket.LocalEndPoint, ex.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, DatagramHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var buffer = ReceiveBuffers.Rent();
        try
        {
            await ReceiveIntoAsync(socket, buffer, handler, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The loop has ended, so no receive is using the buffer any more.
            ReceiveBuffers.Return(buffer);
        }
    }

    private async Task ReceiveIntoAsync(Socket socket, byte[] buffer, DatagramHandler handler, CancellationToken cancellationToken)
    {
        var from = new SocketAddress(socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkReset)
            {
                // ICMP port unreachable from an earlier send, or an oversized datagram: not fatal for a receive loop.
                continue;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                break;
            }

            try
            {
                handler(buffer.AsSpan(0, n), from);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Handling a datagram on {Local} failed", socket.LocalEndPoint);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            RtpSocket.Dispose();
            RtcpSocket.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
