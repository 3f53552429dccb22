using System.Collections.Concurrent;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests;

/// <summary>Emits, on each tick, the next frame handed to it by the test.</summary>
internal sealed class QueueSourceNode : Node, IClockDriven
{
    public QueueSourceNode(string name = "queue-source")
        : base(name)
    {
        Output = AddOutput<AudioFrame>("out");
    }

    public OutputPort<AudioFrame> Output { get; }

    public ConcurrentQueue<AudioFrame> Pending { get; } = new();

    public void OnTick(in MediaTick tick)
    {
        if (Pending.TryDequeue(out var f)) Output.Emit(f);
    }
}
