using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// One codec as an SDP exchange settled it, handed to the registry's encoder and decoder factories so that they can
/// honour its parameters (Opus <c>stereo</c>, <c>useinbandfec</c>, <c>maxaveragebitrate</c>; G.729 <c>annexb</c>; iLBC <c>mode</c>).
/// </summary>
/// <param name="Name">Encoding name of the rtpmap.</param>
/// <param name="ClockRate">RTP clock of the rtpmap.</param>
/// <param name="Channels">Channels of the rtpmap (Opus always says 2; the audio may still be mono).</param>
public sealed record CodecFormat(string Name, RtpClockRate ClockRate, int Channels = 1)
{
    /// <summary>The RTP payload type on the wire, when known.</summary>
    public int? PayloadType { get; init; }

    /// <summary>
    /// The parameters that govern what we <em>send</em>: the peer's a=fmtp (Opus: what the receiver wants), or, for codecs
    /// whose answer settles one value for both directions (G.729 <c>annexb</c>, iLBC <c>mode</c>), the agreed value.
    /// An encoder factory reads these.
    /// </summary>
    public FmtpParameters Parameters { get; init; } = FmtpParameters.Empty;

    /// <summary>The a=fmtp we wrote ourselves for this codec (what we said about what we receive). A decoder factory may read these.</summary>
    public FmtpParameters LocalParameters { get; init; } = FmtpParameters.Empty;

    /// <summary>Packet time (a=ptime), when negotiated.</summary>
    public TimeSpan? Ptime { get; init; }

    /// <summary>Largest packet time (a=maxptime), when given.</summary>
    public TimeSpan? MaxPtime { get; init; }

    /// <summary>The format a codec has when nothing was negotiated: its rtpmap, default fmtp on both sides and default ptime.</summary>
    public static CodecFormat Default(CodecInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new CodecFormat(info.Name, info.RtpClockRate, info.RtpMapChannels)
        {
            PayloadType = info.StaticPayloadType,
            Parameters = info.DefaultFmtp,
            LocalParameters = info.DefaultFmtp,
            Ptime = info.DefaultPtime,
        };
    }
}
