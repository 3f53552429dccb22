using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Sip.Media;

/// <summary>A node that records a call: what was received and what was sent. The call's graph owns it, and stops it
/// (so it flushes) when the call ends.</summary>
public sealed record CallRecorderBinding(Node Node, InputPort<AudioFrame> Received, InputPort<AudioFrame> Sent);
