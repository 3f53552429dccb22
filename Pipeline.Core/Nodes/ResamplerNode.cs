using Pipeline.Core.Dsp;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Nodes;

/// <summary>
/// Converts audio frames to another sample rate (mono; multi-channel frames are downmixed first).
/// <code>  AudioFrame @ in rate ──► [Resampler: windowed sinc] ──► AudioFrame @ out rate (Position rescaled)</code>
/// Output frames vary by a sample or so around the input duration; an encoder with a packet time
/// gathers them into full packets. Frames at another rate than <see cref="InputRate"/> are dropped and counted.
/// </summary>
public sealed class ResamplerNode : Node
{
    private readonly Resampler _resampler;
    private short[] _mono = new short[1920];
    private long _nextPosition = -1;
    private long _rejected;

    public ResamplerNode(string name, SampleRate inputRate, SampleRate outputRate)
        : base(name)
    {
        InputRate = inputRate;
        OutputRate = outputRate;
        _resampler = new Resampler(inputRate, outputRate);
        Input = AddInput<AudioFrame>("in");
        Output = AddOutput<AudioFrame>("out");
    }

    public InputPort<AudioFrame> Input { get; }

    public OutputPort<AudioFrame> Output { get; }

    public SampleRate InputRate { get; }

    public SampleRate OutputRate { get; }

    /// <summary>Frames dropped because their rate was not <see cref="InputRate"/>.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    protected internal override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Convert, cancellationToken);

    private void Convert(AudioFrame frame)
    {
        using (frame)
        {
            if (frame.SampleRate != InputRate)
            {
                Interlocked.Increment(ref _rejected);
                return;
            }

            ReadOnlySpan<short> mono;
            if (frame.Channels == 1)
            {
                mono = frame.Samples;
            }
            else
            {
                if (_mono.Length < frame.SampleCount) _mono = new short[frame.SampleCount];
                var src = frame.Samples;
                int ch = frame.Channels;
                for (int i = 0; i < frame.SampleCount; i++)
                {
                    int sum = 0;
                    for (int c = 0; c < ch; c++) sum += src[(i * ch) + c];
                    _mono[i] = (short)(sum / ch);
                }

                mono = _mono.AsSpan(0, frame.SampleCount);
            }

            if (_nextPosition < 0) _nextPosition = frame.Position * OutputRate.Hertz / InputRate.Hertz;
            var output = AudioFrame.Rent(OutputRate, _resampler.MaxOutputFor(mono.Length));
            int n = _resampler.Process(mono, output.Samples);
            var result = AudioFrame.Rent(OutputRate, n);
            output.Samples[..n].CopyTo(result.Samples);
            output.Dispose();
            result.Position = _nextPosition;
            result.IsConcealment = frame.IsConcealment;
            _nextPosition += n;
            if (n == 0)
            {
                result.Dispose();
                return;
            }

            Output.Emit(result);
        }
    }
}
