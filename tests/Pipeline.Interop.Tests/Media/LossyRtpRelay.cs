using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Media;

namespace Pipeline.Interop.Tests.Media;

/// <summary>A UDP relay on 127.0.0.1 that sits in one side's RTP path and drops every <c>dropEvery</c>-th packet going
/// to <see cref="Target"/>; packets coming back from the target go to whoever sent last.</summary>
internal sealed class LossyRtpRelay : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _dropEvery;
    private readonly Task _loop;
    private volatile IPEndPoint? _target;
    private IPEndPoint? _sender;
    private int _forwarded;
    private int _dropped;

    public LossyRtpRelay(int dropEvery)
    {
        _dropEvery = dropEvery;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(RunAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Where packets from the sender go (the receiver's real RTP address).</summary>
    public IPEndPoint? Target
    {
        get => _target;
        set => _target = value;
    }

    public int Forwarded => Volatile.Read(ref _forwarded);

    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>A media factory whose sessions send RTP to this relay instead of the negotiated address, which becomes <see cref="Target"/>.</summary>
    public ICallMediaFactory Wrap(ICallMediaFactory inner) => new RedirectingFactory(inner, this);

    private async Task RunAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        int toTarget = 0;
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send
            }

            var from = (IPEndPoint)r.RemoteEndPoint;
            var target = _target;
            if (target is null) continue;
            IPEndPoint to;
            if (from.Equals(target))
            {
                if (_sender is null) continue;
                to = _sender;
            }
            else
            {
                _sender = from;
                if (++toTarget % _dropEvery == 0)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                to = target;
                Interlocked.Increment(ref _forwarded);
            }

            try
            {
                await _socket.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, to);
            }
            catch (SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private sealed class RedirectingFactory(ICallMediaFactory inner, LossyRtpRelay relay) : ICallMediaFactory
    {
        public async Task<ICallMediaSession> CreateAsync(string callId, CancellationToken cancellationToken = default) =>
            new RedirectingSession(await inner.CreateAsync(callId, cancellationToken), relay);
    }

    private sealed class RedirectingSession(ICallMediaSession inner, LossyRtpRelay relay) : ICallMediaSession
    {
        public IPEndPoint LocalRtpEndPoint => inner.LocalRtpEndPoint;

        public NegotiatedMedia? Current => inner.Current;

        public CallMediaStatistics Statistics => inner.Statistics;

        public Task ApplyAsync(NegotiatedMedia media, CancellationToken cancellationToken = default)
        {
            // RTP goes through the relay; RTCP keeps its own address (RTP port + 1 unless the SDP said otherwise).
            relay.Target = media.RemoteRtp;
            var rtcp = media.RemoteRtcp ?? new IPEndPoint(media.RemoteRtp.Address, media.RemoteRtp.Port + 1);
            return inner.ApplyAsync(media with { RemoteRtp = relay.EndPoint, RemoteRtcp = rtcp }, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
