using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// Copies every item to each of its outputs.
/// <code>  in ──► [tee] ──► out0 (the original) , out1..outN-1 (copies)</code>
/// Its input is inline: items are handled on the writer's thread, with no queue and no node loop of its own.
/// </summary>
public sealed class TeeNode<T> : Node where T : class, IMediaItem
{
    private readonly OutputPort<T>[] _outputs;

    public TeeNode(string name, int outputs = 2)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Input = AddInlineInput<T>("in", Forward);
        _outputs = new OutputPort<T>[outputs];
        for (int i = 0; i < outputs; i++) _outputs[i] = AddOutput<T>("out" + i);
    }

    public InputPort<T> Input { get; }

    public IReadOnlyList<OutputPort<T>> Outputs => _outputs;

    private void Forward(T item)
    {
        for (int i = 1; i < _outputs.Length; i++)
        {
            if (_outputs[i].IsConnected) _outputs[i].Emit((T)item.CloneItem());
        }

        _outputs[0].Emit(item);
    }
}
