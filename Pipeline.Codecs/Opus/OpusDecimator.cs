namespace Pipeline.Codecs.Opus;

/// <summary>
/// Brings 48 kHz PCM down by an integer factor (2, 3, 4 or 6) with a linear-phase windowed-sinc low-pass
/// (16 taps per output sample, cut-off at 0.9 of the new Nyquist, Blackman window) and keeps its history across calls.
/// Delay: 8 output samples. Used by the Concentus decoder, which decodes hybrid packets wrongly below 48 kHz
/// (Concentus 2.2.2), so it decodes at 48 kHz and comes down here. Allocates only when built.
/// </summary>
internal sealed class OpusDecimator
{
    private const int TapsPerOutput = 16;
    private readonly int _factor;
    private readonly int _channels;
    private readonly float[] _taps;
    private readonly float[] _work; // per channel: history (taps-1) followed by the new block
    private readonly int _history;

    public OpusDecimator(int factor, int channels, int maxInputSamples)
    {
        _factor = factor;
        _channels = channels;
        int n = (TapsPerOutput * factor) + 1;
        _taps = new float[n];
        _history = n - 1;
        double fc = 0.9 * 0.5 / factor; // cycles per input sample
        double m = (n - 1) / 2.0;
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            double x = k - m;
            double sinc = x == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * x) / (Math.PI * x);
            double w = 0.42 - (0.5 * Math.Cos(2 * Math.PI * k / (n - 1))) + (0.08 * Math.Cos(4 * Math.PI * k / (n - 1)));
            _taps[k] = (float)(sinc * w);
            sum += sinc * w;
        }

        for (int k = 0; k < n; k++) _taps[k] = (float)(_taps[k] / sum);
        _work = new float[channels * (_history + maxInputSamples)];
    }

    /// <summary>Output samples (per channel) for <paramref name="inputSamples"/> input samples per channel (a multiple of the factor).</summary>
    public int OutputCount(int inputSamples) => inputSamples / _factor;

    /// <summary>Decimates <paramref name="input"/> (interleaved, <paramref name="inputSamples"/> per channel) into <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<short> input, int inputSamples, Span<short> output)
    {
        int stride = _history + (_work.Length / _channels - _history);
        int outCount = inputSamples / _factor;
        for (int c = 0; c < _channels; c++)
        {
            var work = _work.AsSpan(c * stride, stride);
            for (int i = 0; i < inputSamples; i++) work[_history + i] = input[(i * _channels) + c];
            for (int j = 0; j < outCount; j++)
            {
                // The newest input sample of this output is at history + (j+1)·factor - 1; the filter looks back taps-1 from it.
                int end = _history + ((j + 1) * _factor) - 1;
                var window = work.Slice(end - _history, _taps.Length);
                float acc = 0;
                for (int k = 0; k < _taps.Length; k++) acc += _taps[k] * window[k];
                output[(j * _channels) + c] = (short)Math.Clamp(MathF.Round(acc), short.MinValue, short.MaxValue);
            }

            // Keep the last taps-1 input samples as the next call's history.
            work.Slice(inputSamples, _history).CopyTo(work);
        }
    }

    public void Reset() => Array.Clear(_work);
}
