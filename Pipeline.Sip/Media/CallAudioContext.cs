using Pipeline.Core.Media;

namespace Pipeline.Sip.Media;

/// <summary>What an application's source or recorder factory learns about the call it serves.</summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="SampleRate">The call's audio rate (CallMediaOptions.AudioRate, or the first codec's): the source must produce
/// frames at this rate and the recorder gets frames at it, for the whole call.</param>
/// <param name="Codec">The negotiated codec.</param>
public sealed record CallAudioContext(string CallId, SampleRate SampleRate, NegotiatedCodec Codec);
