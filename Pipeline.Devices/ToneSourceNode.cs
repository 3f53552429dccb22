using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// A sine tone, phase-continuous across ticks.
/// <code>  clock tick ──► [A·sin(2πft + φ)] ──► AudioFrame (mono, or the same tone on every channel)</code>
/// </summary>
public sealed class ToneSourceNode : AudioSourceNode
{
    private readonly double _step;
    private readonly double _scale;
    private double _phase;

    /// <param name="name">Node name.</param>
    /// <param name="frequency">Tone frequency in Hz, above 0 and below half the sample rate.</param>
    /// <param name="amplitude">Peak amplitude as a fraction of full scale, 0 to 1.</param>
    /// <param name="sampleRate">Output rate.</param>
    /// <param name="channels">Output channels (each carries the tone).</param>
    public ToneSourceNode(string name, double frequency, double amplitude, SampleRate sampleRate, int channels = 1)
        : base(name, sampleRate, channels)
    {
        if (!(frequency > 0 && frequency < sampleRate.Hertz / 2.0))
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, $"A tone at {sampleRate} must be above 0 and below {sampleRate.Hertz / 2} Hz.");
        }

        if (!(amplitude >= 0 && amplitude <= 1)) throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "Amplitude is a fraction of full scale, 0 to 1.");
        Frequency = frequency;
        Amplitude = amplitude;
        _step = 2 * Math.PI * frequency / sampleRate.Hertz;
        _scale = amplitude * short.MaxValue;
    }

    public double Frequency { get; }

    public double Amplitude { get; }

    protected override bool Fill(Span<short> samples, int samplesPerChannel)
    {
        int ch = Channels;
        double phase = _phase;
        for (int i = 0; i < samplesPerChannel; i++)
        {
            short v = (short)Math.Round(_scale * Math.Sin(phase));
            for (int c = 0; c < ch; c++) samples[i * ch + c] = v;
            phase += _step;
        }

        _phase = phase % (2 * Math.PI);
        return true;
    }
}
