using System.Net;
using Microsoft.Extensions.Logging;
using Pipeline.Codecs;
using Pipeline.Core.Graph;

namespace Pipeline.Sip.Media;

/// <summary>How <see cref="CallMediaFactory"/> builds each call's media graph.</summary>
public sealed class CallMediaOptions
{
    /// <summary>The clock that drives every call's graph. Default: the process-wide 20 ms clock.</summary>
    public MediaClock? Clock { get; init; }

    /// <summary>Address the RTP sockets bind to and the SDP advertises.</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Loopback;

    public int RtpPortLow { get; init; } = 10000;

    public int RtpPortHigh { get; init; } = 20000;

    /// <summary>The codecs that can be encoded and decoded; give the endpoint the same registry (EndpointOptions.CodecRegistry).</summary>
    public CodecRegistry Codecs { get; init; } = CodecRegistry.Default;

    /// <summary>
    /// The audio rate of every call's sources, taps and recorders, whatever the codec (resampled at the codec when it
    /// differs). Null: the rate of the first codec negotiated for the call (8 kHz for PCMU, 16 kHz for G.722), which
    /// stays for the whole call even when a re-INVITE changes the codec.
    /// </summary>
    public Pipeline.Core.Media.SampleRate? AudioRate { get; init; }

    /// <summary>Fixed playout delay of the jitter buffer.</summary>
    public TimeSpan JitterBufferDelay { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Send RTP to where the peer's RTP comes from (RFC 4961), for peers behind NAT.</summary>
    public bool SymmetricRtp { get; init; }

    /// <summary>RTCP report interval (RFC 3550: 5 s).</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Makes what a call sends; null (or a factory returning null) sends silence.</summary>
    public Func<CallAudioContext, AudioSourceBinding?>? Source { get; init; }

    /// <summary>Makes a recorder for a call; null records nothing.</summary>
    public Func<CallAudioContext, CallRecorderBinding?>? Recorder { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}
