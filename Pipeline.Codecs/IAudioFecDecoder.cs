namespace Pipeline.Codecs;

/// <summary>
/// A decoder that can rebuild a lost frame from forward error correction carried in the packet after it
/// (in-band FEC, e.g. Opus LBRR: RFC 6716 §2.1.7, negotiated with <c>useinbandfec=1</c>, RFC 7587).
/// <code>
///   frame k lost, packet k+1 here ──► TryDecodeFec(packet k+1) ──► frame k rebuilt (true) │ no FEC inside (false): Conceal
///                                 ──► Decode(packet k+1)       ──► frame k+1 as usual
/// </code>
/// <see cref="AudioDecoderNode"/> uses it for a lost-frame placeholder that carries the next packet's payload
/// (<see cref="Core.Media.EncodedFrame.HasRecoveryPayload"/>). Same threading and allocation rules as <see cref="IAudioDecoder"/>.
/// </summary>
public interface IAudioFecDecoder : IAudioDecoder
{
    /// <summary>Rebuilds the frame lost just before <paramref name="nextPayload"/> from the redundancy that packet carries,
    /// filling all of <paramref name="pcm"/> (interleaved, the lost frame's length). Call it before decoding
    /// <paramref name="nextPayload"/> itself.</summary>
    /// <returns>True when the frame was rebuilt from FEC data. False, with the decoder's state and <paramref name="pcm"/>
    /// untouched, when <paramref name="nextPayload"/> carries no FEC for that frame (or is not a valid packet, or
    /// <paramref name="pcm"/> is a length FEC cannot fill): the caller then conceals as for any lost frame.</returns>
    bool TryDecodeFec(ReadOnlySpan<byte> nextPayload, Span<short> pcm);
}
