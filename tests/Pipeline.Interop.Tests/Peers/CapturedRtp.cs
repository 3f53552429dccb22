namespace Pipeline.Interop.Tests.Peers;

/// <summary>One RTP packet seen by <see cref="PacketCapture"/>.</summary>
/// <param name="Time">Time since the capture started.</param>
/// <param name="SourcePort">UDP source port.</param>
/// <param name="DestinationPort">UDP destination port.</param>
/// <param name="PayloadType">RTP payload type.</param>
/// <param name="Sequence">RTP sequence number.</param>
/// <param name="Timestamp">RTP timestamp.</param>
/// <param name="Ssrc">RTP SSRC.</param>
/// <param name="Marker">RTP marker bit.</param>
/// <param name="PayloadLength">RTP payload length (UDP length minus the fixed 12-byte RTP header; CSRCs/extensions not subtracted).</param>
internal sealed record CapturedRtp(TimeSpan Time, int SourcePort, int DestinationPort, int PayloadType, ushort Sequence, uint Timestamp, uint Ssrc, bool Marker, int PayloadLength);
