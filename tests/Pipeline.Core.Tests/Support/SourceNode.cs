using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Support;

/// <summary>A node with just an output, that tests emit through.</summary>
internal sealed class SourceNode<T> : Node where T : class, IMediaItem
{
    public SourceNode(string name = "source")
        : base(name)
    {
        Output = AddOutput<T>("out");
    }

    public OutputPort<T> Output { get; }
}
