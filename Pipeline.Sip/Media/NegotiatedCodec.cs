namespace Pipeline.Sip.Media;

/// <summary>One codec both sides agreed on: the encoding name and RTP clock rate of its rtpmap, and the payload type on the wire.</summary>
/// <param name="Name">Encoding name as in the rtpmap, e.g. PCMU.</param>
/// <param name="PayloadType">RTP payload type (0–127).</param>
/// <param name="ClockRate">RTP clock rate in Hz (8000 for G.722).</param>
/// <param name="Channels">Audio channels.</param>
/// <param name="Fmtp">The a=fmtp parameters, if any.</param>
public sealed record NegotiatedCodec(string Name, int PayloadType, int ClockRate, int Channels = 1, string? Fmtp = null);
