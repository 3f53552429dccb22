using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Sip.Media;

/// <summary>A node that produces what a call sends, and its audio output. The call's graph owns the node from then on.</summary>
public sealed record AudioSourceBinding(Node Node, OutputPort<AudioFrame> Output);
