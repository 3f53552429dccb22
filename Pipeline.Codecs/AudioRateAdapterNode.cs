using Pipeline.Core.Dsp;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// Brings audio of any rate to one <see cref="TargetRate"/> and channel count (mono by default): the seam between a call's fixed audio rate and
/// codecs whose rate differs (G.722 at 16 kHz, Opus at 48 kHz), also when the codec changes mid-call.
/// <code>
///   AudioFrame @ any rate, any channels ──► [downmix ──► resample when the rate differs ──► (dup to stereo)] ──► AudioFrame @ TargetRate, TargetChannels
/// </code>
/// <para>A frame already at the target rate and channel count passes through untouched (no copy). A resampler is made when the
/// input or target rate changes (not per frame). <see cref="AudioFrame.Position"/> is carried onto the target
/// timeline: gaps in the input (same rate) become gaps of the same duration; across a rate change the output simply
/// continues, as the decoder's positions do.</para>
/// <para>The input frame is disposed or passed on.</para>
/// </summary>
public sealed class AudioRateAdapterNode : Node
{
    private volatile int _targetHertz;
    private volatile int _targetChannels = 1;
    private SampleRate _out;
    private SampleRate _in;
    private Resampler? _resampler;
    private short[] _mono = [];
    private short[] _scratch = [];
    private bool _started;
    private long _expectedIn;
    private long _nextOut;
    private long _converted;

    /// <param name="name">Node name.</param>
    /// <param name="targetRate">The rate of every output frame.</param>
    public AudioRateAdapterNode(string name, SampleRate targetRate)
        : base(name)
    {
        _out = targetRate;
        _targetHertz = targetRate.Hertz;
        Input = AddInput<AudioFrame>("in");
        Output = AddOutput<AudioFrame>("out");
    }

    public InputPort<AudioFrame> Input { get; }

    public OutputPort<AudioFrame> Output { get; }

    /// <summary>The output rate; setting it takes effect from the next frame (a codec change on the send side).</summary>
    public SampleRate TargetRate
    {
        get => new(_targetHertz);
        set => _targetHertz = value.Hertz;
    }

    /// <summary>Channels of every output frame: 1 (default), or 2 for a stereo encoder (mono duplicated). Takes effect from the next frame.</summary>
    public int TargetChannels
    {
        get => _targetChannels;
        set => _targetChannels = value is 1 or 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The adapter makes mono or stereo frames.");
    }

    /// <summary>Frames that had to be resampled or downmixed (the rest passed through).</summary>
    public long FramesConverted => Interlocked.Read(ref _converted);

    protected override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Process, cancellationToken);

    internal void Process(AudioFrame frame)
    {
        int hz = _targetHertz;
        if (hz != _out.Hertz)
        {
            // New target: continue the output timeline at the new rate.
            _nextOut = _nextOut * hz / _out.Hertz;
            _out = new SampleRate(hz);
            _resampler = null;
        }

        var rate = frame.SampleRate;
        if (!_started)
        {
            _nextOut = frame.Position * _out.Hertz / rate.Hertz;
            _started = true;
        }
        else if (rate == _in)
        {
            long gap = frame.Position - _expectedIn;
            if (gap > 0) _nextOut += gap * _out.Hertz / rate.Hertz;
        }

        if (rate != _in)
        {
            _in = rate;
            _resampler = null;
        }

        _expectedIn = frame.Position + frame.SampleCount;
        int channels = _targetChannels;
        if (rate == _out && frame.Channels == channels)
        {
            frame.Position = _nextOut;
            _nextOut += frame.SampleCount;
            Output.Emit(frame);
            return;
        }

        using (frame)
        {
            var mono = Downmix(frame);
            AudioFrame result;
            if (rate != _out)
            {
                _resampler ??= new Resampler(rate, _out);
                int max = _resampler.MaxOutputFor(mono.Length);
                if (_scratch.Length < max) _scratch = new short[max];
                int n = _resampler.Process(mono, _scratch);
                if (n == 0) return;
                mono = _scratch.AsSpan(0, n);
            }

            result = AudioFrame.Rent(_out, mono.Length, channels);
            if (channels == 1)
            {
                mono.CopyTo(result.Samples);
            }
            else
            {
                var dst = result.Samples;
                for (int i = 0; i < mono.Length; i++)
                {
                    dst[2 * i] = mono[i];
                    dst[(2 * i) + 1] = mono[i];
                }
            }

            result.Position = _nextOut;
            result.IsConcealment = frame.IsConcealment;
            _nextOut += result.SampleCount;
            Interlocked.Increment(ref _converted);
            Output.Emit(result);
        }
    }

    private ReadOnlySpan<short> Downmix(AudioFrame frame)
    {
        if (frame.Channels == 1) return frame.Samples;
        int count = frame.SampleCount;
        if (_mono.Length < count) _mono = new short[count];
        var src = frame.Samples;
        int ch = frame.Channels;
        for (int i = 0; i < count; i++)
        {
            int sum = 0;
            for (int c = 0; c < ch; c++) sum += src[(i * ch) + c];
            _mono[i] = (short)(sum / ch);
        }

        return _mono.AsSpan(0, count);
    }
}
