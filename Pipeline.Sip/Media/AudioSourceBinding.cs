using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Sip.Media;

/// <summary>Nodes that produce what a call sends, and the audio output to feed the encoder from. The call's graph owns
/// the nodes from then on (the first is the source; the rest, such as a resampler, are already wired behind it).</summary>
public sealed record AudioSourceBinding(Node Node, OutputPort<AudioFrame> Output)
{
    /// <summary>Further nodes of the source chain (a resampler, DSP), added to the call's graph with <see cref="Node"/>.</summary>
    public IReadOnlyList<Node> ChainNodes { get; init; } = [];

    /// <summary>Connects the chain once every node is in the graph (ports connect only within one graph).</summary>
    public Action<MediaGraph>? Wire { get; init; }
}
