using System.Collections.Concurrent;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices.Tests;

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
