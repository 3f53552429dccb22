namespace Pipeline.Core.Media;

/// <summary>An audio sample rate in hertz. Kept apart from RTP clock rates on purpose:
/// G.722 runs 16 kHz audio on an 8 kHz RTP clock.</summary>
public readonly record struct SampleRate
{
    public SampleRate(int hertz)
    {
        if (hertz <= 0) throw new ArgumentOutOfRangeException(nameof(hertz), hertz, "A sample rate must be positive.");
        Hertz = hertz;
    }

    public int Hertz { get; }

    public static SampleRate Hz8000 => new(8000);
    public static SampleRate Hz16000 => new(16000);
    public static SampleRate Hz48000 => new(48000);

    /// <summary>Samples per channel in <paramref name="duration"/> at this rate.</summary>
    public int SamplesIn(TimeSpan duration) => checked((int)(duration.Ticks * Hertz / TimeSpan.TicksPerSecond));

    /// <summary>The duration of <paramref name="samples"/> samples per channel at this rate.</summary>
    public TimeSpan DurationOf(int samples) => TimeSpan.FromTicks(samples * TimeSpan.TicksPerSecond / Hertz);

    public override string ToString() => $"{Hertz} Hz";
}
