using System.Net;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>Settings of an <see cref="RtpSession"/>.</summary>
public sealed class RtpSessionOptions
{
    /// <summary>Address the RTP/RTCP sockets bind to. Default: any IPv4 address.</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Any;

    /// <summary>Lowest port of the range the RTP/RTCP pair is taken from.</summary>
    public int MinPort { get; init; } = 10000;

    /// <summary>Highest port of the range the RTP/RTCP pair is taken from.</summary>
    public int MaxPort { get; init; } = 20000;

    /// <summary>The RTP clock rate of the audio payload (for jitter and SR timestamps). Default 8000 Hz.</summary>
    public RtpClockRate ClockRate { get; init; } = new(8000);

    /// <summary>The CNAME sent in RTCP SDES. Default: a random unique name.</summary>
    public string? Cname { get; init; }

    /// <summary>Nominal RTCP report interval (RFC 3550 §6.2: 5 s). Each actual interval is randomised to 0.5–1.5 times it
    /// and divided by e−3/2 (§6.3.1); the first report goes out after half of it.</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Symmetric RTP (RFC 4961): send to where the remote's packets come from. The RTP destination latches on
    /// the first valid packet and again whenever a new SSRC appears; RTCP likewise on the first valid RTCP packet.</summary>
    public bool SymmetricRtp { get; init; }

    /// <summary>Initial payload type of RFC 4733 telephone events, decoded into <see cref="DtmfEvent"/>s; null when none.
    /// <see cref="RtpSession.TelephoneEventPayloadType"/> changes it later (after the SDP answer).</summary>
    public int? TelephoneEventPayloadType { get; init; } = 101;

    public ILogger? Logger { get; init; }
}
