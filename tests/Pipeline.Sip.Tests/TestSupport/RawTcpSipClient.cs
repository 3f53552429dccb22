using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>A bare TCP connection that writes hand-made bytes (in pieces if asked) and reads framed SIP back.</summary>
internal sealed class RawTcpSipClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new(AddressFamily.InterNetwork);
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _count;
    private NetworkStream? _stream;

    /// <summary>Wraps a connection a listener accepted.</summary>
    public static RawTcpSipClient Accepted(System.Net.Sockets.Socket socket)
    {
        var c = new RawTcpSipClient();
        c._tcp.Client.Dispose();
        c._tcp.Client = socket;
        c._stream = new NetworkStream(socket, ownsSocket: true);
        return c;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_tcp.Client.LocalEndPoint!;

    public static async Task<RawTcpSipClient> ConnectAsync(IPEndPoint to)
    {
        var c = new RawTcpSipClient();
        c._tcp.NoDelay = true;
        await c._tcp.ConnectAsync(to);
        c._stream = c._tcp.GetStream();
        return c;
    }

    public async Task SendAsync(byte[] data)
    {
        await _stream!.WriteAsync(data);
        await _stream.FlushAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="data"/> in pieces cut at <paramref name="cuts"/>, pausing between them so they arrive as separate segments.</summary>
    public async Task SendInPiecesAsync(byte[] data, params int[] cuts)
    {
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            await SendAsync(data[start..cut]);
            start = cut;
            await Task.Delay(30);
        }
    }

    /// <summary>The next framed SIP message, or null on timeout or when the connection closed.</summary>
    public async Task<SipMessage?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var seq = new ReadOnlySequence<byte>(_buffer, 0, _count);
            var status = SipStreamFramer.TryRead(ref seq, _buffer.Length, out var message);
            if (status == SipFrameStatus.Message)
            {
                var bytes = message.ToArray();
                Consume(_count - (int)seq.Length);
                var m = SipParser.Parse(bytes, out var error);
                // A 4xx/5xx echoes the broken headers of the request it rejects; anything else must be valid.
                Assert.True(error is null || m is SipResponse { StatusCode: >= 400 }, "the endpoint sent an unparseable message: " + error + "\n" + Encoding.UTF8.GetString(bytes));
                return m;
            }

            if (status == SipFrameStatus.Ping)
            {
                Consume(_count - (int)seq.Length);
                continue;
            }

            Assert.Equal(SipFrameStatus.NeedMore, status);
            if (seq.Length < _count)
            {
                Consume(_count - (int)seq.Length); // skipped CRLFs
            }

            int n;
            try
            {
                n = await _stream!.ReadAsync(_buffer.AsMemory(_count), cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                Closed = true;
                return null;
            }

            _count += n;
        }
    }

    /// <summary>Raw bytes read next (for the keep-alive pong), or empty on timeout.</summary>
    public async Task<byte[]> ReceiveRawAsync(TimeSpan timeout)
    {
        if (_count > 0)
        {
            var have = _buffer[.._count];
            _count = 0;
            return have;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var n = await _stream!.ReadAsync(_buffer.AsMemory(), cts.Token);
            Closed |= n == 0;
            return _buffer[..n];
        }
        catch (OperationCanceledException)
        {
            return [];
        }
    }

    /// <summary>The next response that is not 100 Trying.</summary>
    public async Task<SipResponse?> ResponseAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (m is null)
            {
                return null;
            }

            if (m is SipResponse { StatusCode: not 100 } r)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>True once the peer closed the connection (read returned 0).</summary>
    public bool Closed { get; private set; }

    /// <summary>Waits for the peer to close; true if it did within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Closed && DateTime.UtcNow < deadline)
        {
            _count = 0;
            await ReceiveAsync(deadline - DateTime.UtcNow);
        }

        return Closed;
    }

    public static string Options(int viaPort, string branch = "z9hG4bKtcp1", string callId = "tcp-opt-1", string body = "") =>
        $"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:{viaPort};branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\n" +
        (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    public static string Invite(int viaPort, string callId)
    {
        const string sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return $"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:{viaPort};branch=z9hG4bK{callId}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <sip:raw@127.0.0.1:{viaPort};transport=tcp>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    private void Consume(int n)
    {
        Buffer.BlockCopy(_buffer, n, _buffer, 0, _count - n);
        _count -= n;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
