using Pipeline.Core.Media;
using Pipeline.Devices;

namespace Pipeline.Interop.Tests.Media;

/// <summary>A steady tone plus a speech-like voiced buzz (a pulse train at ~130 Hz through two formant resonances, with a
/// syllable envelope). Opus's encoder protects frames with in-band FEC only while its voice activity detector hears
/// speech, which a steady tone alone stops being after a second; the tone stays the dominant, measurable component.</summary>
internal sealed class TalkingToneSourceNode : AudioSourceNode
{
    private readonly double _toneStep;
    private readonly double _toneScale;
    private readonly double _rate;
    private readonly double _a1, _a2, _b1, _b2;
    private double _tonePhase;
    private double _y1, _y2, _z1, _z2, _nextPulse;
    private long _n;

    public TalkingToneSourceNode(string name, double toneHz, double toneAmplitude, SampleRate sampleRate)
        : base(name, sampleRate, 1)
    {
        _rate = sampleRate.Hertz;
        _toneStep = 2 * Math.PI * toneHz / _rate;
        _toneScale = toneAmplitude * short.MaxValue;
        (_a1, _a2) = Resonator(700, 0.97);
        (_b1, _b2) = Resonator(Math.Min(1900, _rate * 0.4), 0.95);
    }

    private (double, double) Resonator(double hz, double r) => (2 * r * Math.Cos(2 * Math.PI * hz / _rate), -(r * r));

    protected override bool Fill(Span<short> samples, int samplesPerChannel)
    {
        for (int i = 0; i < samplesPerChannel; i++, _n++)
        {
            double x = 0;
            if (_n >= _nextPulse)
            {
                x = 1;
                _nextPulse += _rate / 130 * (1 + (0.05 * Math.Sin(2 * Math.PI * 3 * _n / _rate)));
            }

            double y = x + (_a1 * _y1) + (_a2 * _y2);
            _y2 = _y1;
            _y1 = y;
            double z = y + (_b1 * _z1) + (_b2 * _z2);
            _z2 = _z1;
            _z1 = z;
            double syllable = 0.1 + (0.9 * Math.Abs(Math.Sin(Math.PI * 3.3 * _n / _rate)));
            double v = (_toneScale * Math.Sin(_tonePhase)) + (0.15 * short.MaxValue * z / 60 * syllable);
            _tonePhase += _toneStep;
            samples[i] = (short)Math.Clamp(Math.Round(v), short.MinValue, short.MaxValue);
        }

        return true;
    }
}
