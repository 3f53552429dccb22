using System.Collections.Concurrent;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Tests.Shared;

// Compiled into the Codecs and Devices test projects (see their csproj): graph helpers both need.
/// <summary>Keeps every item it receives (lossless), for assertions.</summary>
internal sealed class CollectorNode<T> : Node where T : class, IMediaItem
{
    public CollectorNode(string name = "collector")
        : base(name)
    {
        Input = AddInput<T>("in", policy: EdgePolicy.Lossless);
    }

    public InputPort<T> Input { get; }

    public ConcurrentQueue<T> Items { get; } = new();

    protected override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Items.Enqueue, cancellationToken);
}

internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {timeoutMs} ms waiting for {what}.");
            await Task.Delay(1);
        }
    }
}
