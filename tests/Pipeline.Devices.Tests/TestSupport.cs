using System.Collections.Concurrent;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

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

/// <summary>A temporary folder removed after the test.</summary>
public abstract class TempDirTest : IDisposable
{
    protected TempDirTest()
    {
        Dir = Directory.CreateTempSubdirectory("pipeline-devices-").FullName;
    }

    protected string Dir { get; }

    protected string PathOf(string file) => System.IO.Path.Combine(Dir, file);

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}

internal static class Frames
{
    public static AudioFrame Mono(long position, int samples, Func<int, short> value, SampleRate? rate = null)
    {
        var f = AudioFrame.Rent(rate ?? SampleRate.Hz8000, samples);
        var s = f.Samples;
        for (int i = 0; i < samples; i++) s[i] = value(i);
        f.Position = position;
        return f;
    }
}
