using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>Converts sample counts at a <see cref="SampleRate"/> into RTP units of an
/// <see cref="RtpClockRate"/> without drift: the remainder of each conversion is carried into the next.</summary>
internal struct RtpTimeline
{
    private long _remainder;

    public RtpTimeline(SampleRate sampleRate, RtpClockRate clockRate)
    {
        SampleRate = sampleRate;
        ClockRate = clockRate;
        _remainder = 0;
    }

    public SampleRate SampleRate { get; }

    public RtpClockRate ClockRate { get; }

    /// <summary>RTP units spanned by the next <paramref name="samples"/> samples.</summary>
    public uint Advance(long samples)
    {
        if (SampleRate.Hertz == ClockRate.Hertz) return unchecked((uint)samples);
        long scaled = samples * ClockRate.Hertz + _remainder;
        long units = scaled / SampleRate.Hertz;
        _remainder = scaled - units * SampleRate.Hertz;
        return unchecked((uint)units);
    }
}
