using System.Net;

namespace Pipeline.Sip.Media;

/// <summary>
/// The media half of one call, as the signalling side sees it. The SIP layer asks for one per call
/// (from <see cref="ICallMediaFactory"/>) before it writes its first SDP, advertises
/// <see cref="LocalRtpEndPoint"/> in c=/m=, and calls <see cref="ApplyAsync"/> after every completed
/// offer/answer (initial INVITE, re-INVITE, UPDATE…). Disposing it at call end drains and closes the media.
/// </summary>
public interface ICallMediaSession : IAsyncDisposable
{
    /// <summary>Address and RTP port to put in our SDP. RTCP is on the next port.</summary>
    IPEndPoint LocalRtpEndPoint { get; }

    /// <summary>The last media applied, or null before the first exchange completed.</summary>
    NegotiatedMedia? Current { get; }

    CallMediaStatistics Statistics { get; }

    /// <summary>Brings the running media in line with <paramref name="media"/>, changing only what differs.</summary>
    Task ApplyAsync(NegotiatedMedia media, CancellationToken cancellationToken = default);
}
