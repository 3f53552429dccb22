using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Support;

/// <summary>A node with one lossless input and no loop: tests read what arrived with <see cref="TakeAll"/> or <see cref="WaitForAsync"/>.</summary>
internal sealed class SinkNode<T> : Node where T : class, IMediaItem
{
    public SinkNode(string name = "sink")
        : base(name)
    {
        Input = AddInput<T>("in", 1, EdgePolicy.Lossless);
    }

    public InputPort<T> Input { get; }

    public List<T> TakeAll()
    {
        var list = new List<T>();
        while (Input.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }

    /// <summary>Collects items until <paramref name="count"/> have arrived or the timeout passes.</summary>
    public async Task<List<T>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<T>();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (list.Count < count)
            {
                var item = await Input.Reader.ReadAsync(cts.Token);
                list.Add(item);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return list;
    }
}
