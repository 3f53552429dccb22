using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pipeline.Sip.Transport;

/// <summary>
/// One TCP or TLS connection carrying SIP, opened by us or accepted from a peer.
/// <code>
///   socket ─► [SslStream] ─► PipeReader ─► SipStreamFramer ─► transport.OnStreamMessage
///   Enqueue(bytes) ─► channel ─► write loop (connects / handshakes first when outgoing) ─► stream
/// </code>
/// Sends are queued, so they keep their order while the connection is still being set up; if the connection
/// cannot be made or breaks, every queued send's failure callback is told why.
/// </summary>
internal sealed class SipStreamConnection
{
    private readonly StreamSipTransport _transport;
    private readonly Channel<(byte[] Data, Action<string>? Failed)> _sendQueue =
        Channel.CreateUnbounded<(byte[], Action<string>?)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _cts = new();
    private readonly Socket? _accepted;
    private readonly string? _targetHost;
    private Stream? _stream;
    private Task _writeLoop = Task.CompletedTask;
    private long _lastActivity;
    private int _closed;

    /// <summary>An outgoing connection to <paramref name="remote"/>; it connects when <see cref="Start"/> runs.</summary>
    public SipStreamConnection(StreamSipTransport transport, IPEndPoint remote, string? targetHost)
    {
        _transport = transport;
        Remote = remote;
        _targetHost = targetHost;
        IsOutgoing = true;
        Touch();
    }

    /// <summary>A connection a peer opened to our listener.</summary>
    public SipStreamConnection(StreamSipTransport transport, Socket accepted)
    {
        _transport = transport;
        _accepted = accepted;
        Remote = Normalize((IPEndPoint)accepted.RemoteEndPoint!);
        Touch();
    }

    /// <summary>The peer's address and port (the source port for connections the peer opened).</summary>
    public IPEndPoint Remote { get; }

    /// <summary>"TCP" or "TLS".</summary>
    public string Protocol => _transport.Protocol;

    public bool IsOutgoing { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>When the connection last sent or received anything (TimeProvider timestamp).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Why the connection closed, when it did.</summary>
    public string? CloseReason { get; private set; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>Queues bytes for sending; <paramref name="failed"/> hears why if they never make it out.</summary>
    public void Enqueue(byte[] data, Action<string>? failed)
    {
        if (!IsOpen || !_sendQueue.Writer.TryWrite((data, failed)))
        {
            failed?.Invoke(CloseReason ?? "connection closed");
        }
    }

    /// <summary>Closes the connection (idempotent); queued sends fail with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        _transport.Log.LogDebug("{Protocol} connection {Remote} closed: {Reason}", Protocol, Remote, reason);
        _sendQueue.Writer.TryComplete();
        _cts.Cancel();
        try
        {
            _stream?.Dispose();
            _accepted?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }

        while (_sendQueue.Reader.TryRead(out var item))
        {
            item.Failed?.Invoke(reason);
        }

        _transport.OnClosed(this);
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _transport.Time.GetTimestamp());

    private async Task RunAsync()
    {
        await Task.Yield();
        try
        {
            _stream = IsOutgoing ? await ConnectAsync().ConfigureAwait(false) : await AcceptAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Close(DescribeSetupFailure(ex));
            return;
        }

        if (!IsOpen)
        {
            _stream.Dispose();
            return;
        }

        _writeLoop = WriteLoopAsync(_stream);
        var read = ReadLoopAsync(_stream);
        await Task.WhenAll(read, _writeLoop).ConfigureAwait(false);
    }

    private string DescribeSetupFailure(Exception ex) => ex switch
    {
        AuthenticationException a => $"TLS handshake with {_targetHost ?? Remote.ToString()} ({Remote}) failed: {_transport.LastValidationError(this) ?? a.Message}",
        SocketException s => $"{Protocol} connection to {Remote} failed: {s.SocketErrorCode}",
        OperationCanceledException => $"{Protocol} connection to {Remote} timed out",
        _ => $"{Protocol} connection to {Remote} failed: {ex.Message}",
    };

    private async Task<Stream> ConnectAsync()
    {
        var socket = new Socket(Remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            timeout.CancelAfter(_transport.ConnectTimeout);
            await socket.ConnectAsync(Remote, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_transport.IsTls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(_transport.ClientOptions(this, _targetHost ?? Remote.Address.ToString()), timeout.Token).ConfigureAwait(false);
            }

            Touch();
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<Stream> AcceptAsync()
    {
        _accepted!.NoDelay = true;
        Stream stream = new NetworkStream(_accepted, ownsSocket: true);
        if (_transport.IsTls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            stream = ssl;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            timeout.CancelAfter(_transport.ConnectTimeout);
            await ssl.AuthenticateAsServerAsync(_transport.ServerOptions(), timeout.Token).ConfigureAwait(false);
        }

        return stream;
    }

    private async Task WriteLoopAsync(Stream stream)
    {
        var ct = _cts.Token;
        try
        {
            while (await _sendQueue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (_sendQueue.Reader.TryRead(out var item))
                {
                    try
                    {
                        await stream.WriteAsync(item.Data, ct).ConfigureAwait(false);
                        Touch();
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
                    {
                        var reason = $"{Protocol} send to {Remote} failed: {ex.Message}";
                        item.Failed?.Invoke(reason);
                        Close(reason);
                        return;
                    }
                }

                await stream.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close($"{Protocol} send to {Remote} failed: {ex.Message}");
        }
    }

    private async Task ReadLoopAsync(Stream stream)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        var ct = _cts.Token;
        string reason = "closed by peer";
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                Touch();
                var stop = false;
                while (!stop)
                {
                    var status = SipStreamFramer.TryRead(ref buffer, _transport.MaxMessageSize, out var message);
                    switch (status)
                    {
                        case SipFrameStatus.NeedMore:
                            stop = true;
                            break;
                        case SipFrameStatus.Message:
                            Deliver(message);
                            break;
                        case SipFrameStatus.Ping:
                            Enqueue("\r\n"u8.ToArray(), null);
                            break;
                        case SipFrameStatus.TooLarge:
                            reason = $"message larger than {_transport.MaxMessageSize} bytes";
                            _transport.Log.LogInformation("Closing {Protocol} connection {Remote}: {Reason}", Protocol, Remote, reason);
                            await DrainAsync().ConfigureAwait(false);
                            return;
                        default:
                            reason = status == SipFrameStatus.MissingContentLength ? "Missing Content-Length" : "Bad Content-Length";
                            _transport.OnFramingError(this, Contiguous(message), reason);
                            await DrainAsync().ConfigureAwait(false);
                            return;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            reason = ex.Message;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            Close(reason);
        }
    }

    /// <summary>
    /// Lets the answers to earlier messages on this connection (still with the transaction user) and the 400 go out
    /// before the connection closes; nothing more is read meanwhile.
    /// </summary>
    private async Task DrainAsync()
    {
        try
        {
            await Task.Delay(_transport.CloseGrace, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _sendQueue.Writer.TryComplete();
        try
        {
            await _writeLoop.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Deliver(in ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment)
        {
            _transport.OnStreamMessage(this, message.FirstSpan);
            return;
        }

        var length = (int)message.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            message.CopyTo(rented);
            _transport.OnStreamMessage(this, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte[] Contiguous(in ReadOnlySequence<byte> s) => s.ToArray();

    private static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
}
