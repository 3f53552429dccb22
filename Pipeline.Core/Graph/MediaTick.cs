namespace Pipeline.Core.Graph;

/// <summary>One beat of the shared <see cref="MediaClock"/>.</summary>
/// <param name="Index">Ticks since the clock started, from 0.</param>
/// <param name="Period">Time between two ticks.</param>
public readonly record struct MediaTick(long Index, TimeSpan Period)
{
    /// <summary>Media time of this tick since the clock started.</summary>
    public TimeSpan Time => Period * Index;
}
