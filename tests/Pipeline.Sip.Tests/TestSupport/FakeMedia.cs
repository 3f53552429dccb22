using System.Net;
using Pipeline.Sip.Media;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>A media session that binds nothing and records every ApplyAsync.</summary>
internal sealed class FakeMediaSession(string callId, IPEndPoint local) : ICallMediaSession
{
    private readonly Lock _lock = new();
    private readonly List<NegotiatedMedia> _applied = [];
    private int _disposeCount;

    public string CallId { get; } = callId;

    public IPEndPoint LocalRtpEndPoint { get; } = local;

    public NegotiatedMedia? Current { get; private set; }

    public CallMediaStatistics Statistics => CallMediaStatistics.Empty;

    public int DisposeCount => Volatile.Read(ref _disposeCount);

    public IReadOnlyList<NegotiatedMedia> Applied
    {
        get
        {
            lock (_lock)
            {
                return [.. _applied];
            }
        }
    }

    public Task ApplyAsync(NegotiatedMedia media, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _applied.Add(media);
            Current = media;
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposeCount);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Hands out <see cref="FakeMediaSession"/>s with distinct even RTP ports and remembers them.</summary>
internal sealed class FakeMediaFactory : ICallMediaFactory
{
    private static int _nextPort = 30000;
    private readonly Lock _lock = new();
    private readonly List<FakeMediaSession> _sessions = [];

    public IReadOnlyList<FakeMediaSession> Sessions
    {
        get
        {
            lock (_lock)
            {
                return [.. _sessions];
            }
        }
    }

    public Task<ICallMediaSession> CreateAsync(string callId, CancellationToken cancellationToken = default)
    {
        var s = new FakeMediaSession(callId, new IPEndPoint(IPAddress.Loopback, Interlocked.Add(ref _nextPort, 2)));
        lock (_lock)
        {
            _sessions.Add(s);
        }

        return Task.FromResult<ICallMediaSession>(s);
    }

    public FakeMediaSession For(string callId) => Sessions.Single(s => s.CallId == callId);
}
