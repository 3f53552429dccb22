using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Base of sources that produce audio on the shared clock's beat.
/// <code>
///   clock tick ──► [source: Fill(samples of one tick period)] ──► AudioFrame (Position = samples emitted before it)
/// </code>
/// Each tick yields exactly the samples of one tick period at <see cref="SampleRate"/>; when a period
/// is not a whole number of samples (11025 Hz at 10 ms) the remainder is carried, so no drift builds up.
/// <see cref="AudioFrame.Position"/> counts samples per channel since the source's first tick, which on
/// a graph started with the call is the call's timeline. <see cref="Fill"/> runs on the clock thread and must not block.
/// </summary>
public abstract class AudioSourceNode : Node, IClockDriven
{
    private long _elapsedTicks; // TimeSpan ticks of media time produced
    private long _position;

    protected AudioSourceNode(string name, SampleRate sampleRate, int channels)
        : base(name)
    {
        if (channels is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An audio source has 1 to 8 channels.");
        SampleRate = sampleRate;
        Channels = channels;
        Output = AddOutput<AudioFrame>("out");
    }

    public OutputPort<AudioFrame> Output { get; }

    public SampleRate SampleRate { get; }

    public int Channels { get; }

    /// <summary>Position of the next frame: samples per channel since the first tick, including ticks on which nothing was emitted.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Fills <paramref name="samples"/> (interleaved, <paramref name="samplesPerChannel"/> per channel).
    /// Return false to emit nothing for this tick (the source has ended); the position still moves on.</summary>
    protected abstract bool Fill(Span<short> samples, int samplesPerChannel);

    void IClockDriven.OnTick(in MediaTick tick)
    {
        long before = _elapsedTicks;
        _elapsedTicks += tick.Period.Ticks;
        long hz = SampleRate.Hertz;
        int n = (int)((_elapsedTicks * hz / TimeSpan.TicksPerSecond) - (before * hz / TimeSpan.TicksPerSecond));
        if (n <= 0) return;

        long position = _position;
        Interlocked.Exchange(ref _position, position + n);
        var frame = AudioFrame.Rent(SampleRate, n, Channels);
        bool emit;
        try
        {
            emit = Fill(frame.Samples, n);
        }
        catch
        {
            frame.Dispose();
            throw;
        }

        if (!emit)
        {
            frame.Dispose();
            return;
        }

        frame.Position = position;
        Output.Emit(frame);
    }
}
