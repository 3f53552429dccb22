namespace Pipeline.Sip.Media;

/// <summary>Builds a <see cref="CallMediaController"/> (a media graph over an RTP session) for each call.</summary>
public sealed class CallMediaFactory(CallMediaOptions options) : ICallMediaFactory
{
    private readonly CallMediaOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    public Task<ICallMediaSession> CreateAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<ICallMediaSession>(new CallMediaController(callId, _options));
    }
}
