using Pipeline.Core.Media;

namespace Pipeline.Core.Dsp;

/// <summary>
/// Streaming sample-rate converter for 16-bit mono audio: band-limited interpolation with a
/// Kaiser-windowed sinc table (<see cref="Phases"/> sub-sample phases, linear between phases).
/// <code>
///   input samples ──► history ──► for each output instant c: y(c) = Σ x[n]·h(c − n) ──► output samples
/// </code>
/// The cut-off is 0.45 × the lower of the two rates, so downsampling does not alias; the filter spans
/// 32 samples of the lower rate. State carries across calls, so a stream cut into frames of any size
/// converts exactly as in one piece. The output lags the input by half the filter span.
/// After construction it allocates nothing.
/// </summary>
public sealed class Resampler
{
    /// <summary>Sub-sample phases in the filter table.</summary>
    public const int Phases = 128;

    private readonly float[] _table; // (Phases + 1) rows × Taps
    private readonly float[] _history;
    private readonly double _step; // input samples per output sample
    private readonly int _half;
    private double _time; // next output instant relative to the newest input sample
    private int _filled;

    public Resampler(SampleRate input, SampleRate output)
    {
        Input = input;
        Output = output;
        _step = (double)input.Hertz / output.Hertz;
        Taps = 32 * (int)Math.Max(1, Math.Ceiling(_step));
        _half = Taps / 2;
        _history = new float[Taps * 2];
        double cutoff = 0.45 * Math.Min(input.Hertz, output.Hertz) / input.Hertz; // cycles per input sample
        _table = BuildTable(cutoff, Taps);
        _time = 1;
    }

    public SampleRate Input { get; }

    public SampleRate Output { get; }

    /// <summary>Filter length in input samples.</summary>
    public int Taps { get; }

    /// <summary>An upper bound of the output samples produced from <paramref name="inputSamples"/> input samples.</summary>
    public int MaxOutputFor(int inputSamples) => (int)Math.Ceiling(inputSamples / _step) + 2;

    /// <summary>Converts <paramref name="input"/> into <paramref name="output"/>; returns the samples written.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        int written = 0;
        foreach (short s in input)
        {
            if (_filled == _history.Length)
            {
                Array.Copy(_history, Taps, _history, 0, Taps);
                _filled = Taps;
            }

            _history[_filled++] = s;
            _time -= 1;

            // Every output instant with a full filter of input behind it can be computed now.
            while (_time <= -_half && written < output.Length)
            {
                double centre = _filled - 1 + _time;
                double floor = Math.Floor(centre);
                int baseIndex = (int)floor - _half + 1;
                double phasePos = (centre - floor) * Phases;
                int phase = (int)phasePos;
                float mix = (float)(phasePos - phase);
                int row0 = phase * Taps, row1 = row0 + Taps;
                float acc = 0;
                for (int k = 0; k < Taps; k++)
                {
                    int idx = baseIndex + k;
                    if (idx < 0) continue;
                    float h = _table[row0 + k] + (mix * (_table[row1 + k] - _table[row0 + k]));
                    acc += _history[idx] * h;
                }

                output[written++] = (short)Math.Clamp(MathF.Round(acc), short.MinValue, short.MaxValue);
                _time += _step;
            }
        }

        return written;
    }

    private static float[] BuildTable(double cutoff, int taps)
    {
        const double beta = 8.0;
        int half = taps / 2;
        var t = new float[(Phases + 1) * taps];
        double i0b = BesselI0(beta);
        for (int p = 0; p <= Phases; p++)
        {
            double frac = (double)p / Phases;
            double sum = 0;
            for (int k = 0; k < taps; k++)
            {
                double x = frac + half - 1 - k; // distance from the output instant to input sample k
                double sinc = Math.Abs(x) < 1e-12 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
                double r = x / half;
                double w = Math.Abs(r) >= 1 ? 0 : BesselI0(beta * Math.Sqrt(1 - (r * r))) / i0b;
                t[(p * taps) + k] = (float)(sinc * w);
                sum += sinc * w;
            }

            for (int k = 0; k < taps; k++) t[(p * taps) + k] = (float)(t[(p * taps) + k] / sum);
        }

        return t;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (int k = 1; k < 50; k++)
        {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
        }

        return sum;
    }
}
