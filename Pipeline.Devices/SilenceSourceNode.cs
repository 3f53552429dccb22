using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>Digital silence, one tick period per tick.
/// <code>  clock tick ──► [zeros] ──► AudioFrame</code></summary>
public sealed class SilenceSourceNode : AudioSourceNode
{
    public SilenceSourceNode(string name, SampleRate sampleRate, int channels = 1)
        : base(name, sampleRate, channels)
    {
    }

    protected override bool Fill(Span<short> samples, int samplesPerChannel)
    {
        samples.Clear();
        return true;
    }
}
