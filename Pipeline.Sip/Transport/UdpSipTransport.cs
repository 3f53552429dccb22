using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transport;

/// <summary>
/// SIP over UDP: one socket, one async receive loop (no dedicated thread). Garbage is dropped; a broken request
/// that still has Via, From, To, Call-ID and CSeq gets 400 (or 505) with a reason naming the problem; responses
/// that do not parse are dropped. Nothing the network sends can end the receive loop.
/// </summary>
internal sealed class UdpSipTransport : ISipTransport
{
    private const int MaxDatagram = 65535;
    private readonly Socket _socket;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _cts = new();
    private Action<SipMessage, IPEndPoint>? _onMessage;
    private Task _loop = Task.CompletedTask;

    public UdpSipTransport(IPEndPoint bind, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(bind);

            // A peer that never reads keeps our loopback send buffer charged: a blocking SendTo would then stall the
            // receive loop and the signalling queue. Non-blocking sends drop the datagram instead (UDP may lose it anyway).
            _socket.Blocking = false;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public string Protocol => "UDP";

    public IPEndPoint LocalEndPoint { get; }

    public void Start(Action<SipMessage, IPEndPoint> onMessage)
    {
        _onMessage = onMessage;
        _loop = ReceiveLoopAsync(_cts.Token);
    }

    /// <summary>Test hook: observes every message sent (before it goes to the socket).</summary>
    internal Action<SipMessage, IPEndPoint>? Sent { get; set; }

    public void Send(SipMessage message, IPEndPoint destination)
    {
        Sent?.Invoke(message, destination);
        SendBytes(SipWriter.Write(message), destination);
    }

    public void SendDatagram(byte[] datagram, IPEndPoint destination)
    {
        if (Sent is { } sent && SipParser.Parse(datagram, out _) is { } message)
        {
            sent(message, destination); // tests watch what goes out
        }

        SendBytes(datagram, destination);
    }

    private void SendBytes(byte[] bytes, IPEndPoint destination)
    {
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug("SIP send to {Remote}:\n{Message}", destination, System.Text.Encoding.UTF8.GetString(bytes));
        }

        try
        {
            _socket.SendTo(bytes, SocketFlags.None, destination);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
        {
            _log.LogDebug("SIP send to {Remote} dropped: send buffer full", destination);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _log.LogWarning("SIP send to {Remote} failed: {Error}", destination, ex.Message);
        }
    }

    public void SendResponse(SipResponse response)
    {
        var destination = SipResponseRouting.Destination(response);
        if (destination is null)
        {
            _log.LogWarning("Dropping {Status} response: no usable address in the top Via", response.StatusCode);
            return;
        }

        Send(response, destination);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        await Task.Yield();
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // ICMP port unreachable from an earlier send surfaces here on some platforms: not fatal.
                _log.LogDebug("UDP receive error {Error}", ex.SocketErrorCode);
                continue;
            }

            try
            {
                OnDatagram(buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Error while handling a datagram from {Remote}", result.RemoteEndPoint);
            }
        }
    }

    /// <summary>Size check before parsing (protection); a datagram it refuses is dropped unparsed.</summary>
    internal Func<int, bool>? AdmitSize { get; set; }

    /// <summary>Parses one datagram and delivers, answers or drops it. Internal for tests.</summary>
    internal void OnDatagram(ReadOnlySpan<byte> data, IPEndPoint remote)
    {
        if (AdmitSize is { } admit && !admit(data.Length))
        {
            _log.LogDebug("Dropping a {Length}-byte datagram from {Remote}: larger than the maximum message size", data.Length, remote);
            return;
        }

        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug("SIP received from {Remote}:\n{Message}", remote, System.Text.Encoding.UTF8.GetString(data));
        }

        var message = SipParser.Parse(data, out var error);
        if (error is not null)
        {
            if (message is SipRequest request && request.Method != "ACK" && SipMessageFactory.CanRespond(request))
            {
                _log.LogInformation("Rejecting malformed {Method} from {Remote}: {Error}", request.Method, remote, error.ReasonPhrase);
                try
                {
                    SipResponseRouting.StampTopVia(request, remote);
                }
                catch (SipParseException)
                {
                    // The Via itself is broken: answer to the source address.
                    var bad = SipMessageFactory.CreateResponse(request, error.StatusCode, error.ReasonPhrase, SipMessageFactory.NewTag());
                    Send(bad, remote);
                    return;
                }

                var response = SipMessageFactory.CreateResponse(request, error.StatusCode, error.ReasonPhrase, SipMessageFactory.NewTag());
                if (error.StatusCode == 505)
                {
                    response.Version = "SIP/2.0";
                }

                SendResponse(response);
            }
            else
            {
                _log.LogInformation("Dropping malformed datagram from {Remote}: {Error}", remote, error.ReasonPhrase);
            }

            return;
        }

        if (message is SipRequest req)
        {
            SipResponseRouting.StampTopVia(req, remote);
        }

        _onMessage?.Invoke(message!, remote);
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _cts.Dispose();
    }
}
