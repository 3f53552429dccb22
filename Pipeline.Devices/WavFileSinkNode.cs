using Microsoft.Extensions.Logging;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Records a stream of audio frames into a mono 16-bit PCM WAV file.
/// <code>  AudioFrame ══lossless══► [sink: downmix to mono, fill position gaps with silence] ──► file.wav</code>
/// <para>The input is lossless: nothing is dropped, memory grows while the disk is slow. The file is
/// created when the graph starts and completed (header sizes patched) when it stops; frames still queued
/// when the graph stops are written first. Frames whose rate differs from the file's are dropped and
/// counted in <see cref="FramesRejected"/> (this node does not resample).</para>
/// <para>With gap filling on (the default), a frame whose <see cref="AudioFrame.Position"/> lies ahead of
/// the audio written so far is preceded by silence for the gap (up to <see cref="MaxGap"/>), so the file
/// keeps real time across discontinuous transmission. A frame at or behind the write position is appended as it is.</para>
/// </summary>
public sealed class WavFileSinkNode : Node, IAsyncDisposable
{
    private WavFileWriter? _writer;
    private short[] _scratch = [];
    private bool _started;
    private long _nextPosition;
    private long _rejected;
    private long _written;

    /// <param name="name">Node name.</param>
    /// <param name="path">File to create (overwritten if it exists).</param>
    /// <param name="sampleRate">Rate of the file and of the frames it accepts.</param>
    /// <param name="fillGaps">Write silence for gaps in frame positions.</param>
    public WavFileSinkNode(string name, string path, SampleRate sampleRate, bool fillGaps = true)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
        SampleRate = sampleRate;
        FillGaps = fillGaps;
        Input = AddInput<AudioFrame>("in", policy: EdgePolicy.Lossless);
    }

    public InputPort<AudioFrame> Input { get; }

    public string FilePath { get; }

    public SampleRate SampleRate { get; }

    public bool FillGaps { get; }

    /// <summary>Largest gap filled with silence; a larger jump is taken as a discontinuity (default 60 s).</summary>
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Samples written to the file so far, silence included.</summary>
    public long SamplesWritten => Interlocked.Read(ref _written);

    /// <summary>Frames dropped because their sample rate did not match the file's.</summary>
    public long FramesRejected => Interlocked.Read(ref _rejected);

    protected override void OnStart() => Open();

    internal void Open()
    {
        _writer ??= new WavFileWriter(FilePath, new WavFormat(SampleRate, 1));
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        await PumpAsync(Input, Write, cancellationToken).ConfigureAwait(false);

        // Cancelled: whatever is still queued was delivered before the stop, so it belongs in the file.
        while (Input.Reader.TryRead(out var frame)) Write(frame);
    }

    protected override ValueTask OnStoppedAsync() => DisposeAsync();

    /// <summary>Completes the file. Called when the graph stops; call it yourself if the graph never ran.</summary>
    public ValueTask DisposeAsync()
    {
        var w = Interlocked.Exchange(ref _writer, null);
        w?.Dispose();
        return ValueTask.CompletedTask;
    }

    internal void Write(AudioFrame frame)
    {
        try
        {
            var writer = _writer;
            if (writer is null) return;
            if (frame.SampleRate != SampleRate)
            {
                if (Interlocked.Increment(ref _rejected) == 1)
                {
                    Logger.LogWarning("{Node}: frame at {Rate} does not fit the {FileRate} file {Path}; dropping such frames", Name, frame.SampleRate, SampleRate, FilePath);
                }

                return;
            }

            if (FillGaps && _started)
            {
                long gap = frame.Position - _nextPosition;
                if (gap > 0 && gap <= SampleRate.SamplesIn(MaxGap)) WriteSilence(writer, gap);
            }

            _started = true;
            var samples = Mono(frame);
            writer.Write(samples);
            Interlocked.Add(ref _written, samples.Length);
            _nextPosition = frame.Position + frame.SampleCount;
        }
        finally
        {
            frame.Dispose();
        }
    }

    private ReadOnlySpan<short> Mono(AudioFrame frame)
    {
        if (frame.Channels == 1) return frame.Samples;
        int n = frame.SampleCount;
        int ch = frame.Channels;
        if (_scratch.Length < n) _scratch = new short[Math.Max(n, 960)];
        var src = frame.Samples;
        for (int i = 0; i < n; i++)
        {
            int sum = 0;
            for (int c = 0; c < ch; c++) sum += src[i * ch + c];
            _scratch[i] = (short)(sum / ch);
        }

        return _scratch.AsSpan(0, n);
    }

    private void WriteSilence(WavFileWriter writer, long samples)
    {
        if (_scratch.Length < 960) _scratch = new short[960];
        var zeros = _scratch.AsSpan(0, 960);
        zeros.Clear();
        while (samples > 0)
        {
            int n = (int)Math.Min(samples, zeros.Length);
            writer.Write(zeros[..n]);
            samples -= n;
            Interlocked.Add(ref _written, n);
        }
    }
}
