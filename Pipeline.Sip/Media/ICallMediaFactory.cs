namespace Pipeline.Sip.Media;

/// <summary>Makes the media half of each new call.</summary>
public interface ICallMediaFactory
{
    /// <param name="callId">The SIP Call-ID, for logs and file names.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    Task<ICallMediaSession> CreateAsync(string callId, CancellationToken cancellationToken = default);
}
