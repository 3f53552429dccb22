using Microsoft.Extensions.Logging;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Records two mono streams side by side into one stereo 16-bit PCM WAV file: by convention the
/// received audio on the left and the sent audio on the right.
/// <code>
///   left  (received) ══lossless══►┐
///                                 ├─► [align by AudioFrame.Position] ──► interleave ──► call.wav (L, R)
///   right (sent)     ══lossless══►┘
/// </code>
/// <para><b>Alignment.</b> Both streams are expected on one timeline: frames produced on the shared
/// clock's ticks whose <see cref="AudioFrame.Position"/> counts samples since the call began. Sample
/// <see cref="Origin"/> (by default the first position seen on either input) is the start of the file,
/// and a frame lands at its position. Each side is buffered until the other side has audio for the same
/// stretch; then both are written together.</para>
/// <para><b>Missing audio.</b> A gap in one side's positions becomes silence on that side. When one side
/// has nothing for a while (nothing received, say), the other side does not wait more than
/// <see cref="MaxSkew"/>: the silent side is filled with silence and writing goes on (unless frames of
/// the silent side are queued at its input: then it is only slow, and the recorder waits for them). Audio never gets
/// dropped: a frame that arrives for a stretch already written (too late, or a position that went
/// backwards) is appended at that side's current end instead of its own position.</para>
/// <para><b>Stopping.</b> Frames still queued when the graph stops are taken in, the shorter side is
/// padded with silence, everything is written and the header is patched. Frames whose rate differs from
/// the file's are dropped and counted in <see cref="FramesRejected"/>; multi-channel frames are downmixed.</para>
/// </summary>
public sealed class StereoRecorderNode : Node, IAsyncDisposable
{
    private const int Chunk = 960;
    private readonly object _gate = new();
    private readonly Side _left = new();
    private readonly Side _right = new();
    private readonly short[] _interleaved = new short[Chunk * 2];
    private WavFileWriter? _writer;
    private long _written;
    private long _rejected;

    /// <param name="name">Node name.</param>
    /// <param name="path">File to create (overwritten if it exists).</param>
    /// <param name="sampleRate">Rate of the file and of the frames on both inputs.</param>
    public StereoRecorderNode(string name, string path, SampleRate sampleRate)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
        SampleRate = sampleRate;
        Left = AddInput<AudioFrame>("left", policy: EdgePolicy.Lossless);
        Right = AddInput<AudioFrame>("right", policy: EdgePolicy.Lossless);
    }

    /// <summary>Left channel: the received audio, by convention.</summary>
    public InputPort<AudioFrame> Left { get; }

    /// <summary>Right channel: the sent audio, by convention.</summary>
    public InputPort<AudioFrame> Right { get; }

    public string FilePath { get; }

    public SampleRate SampleRate { get; }

    /// <summary>The position that maps to the first sample of the file. Null (the default) takes the first
    /// frame's position, whichever side it comes from. Set it before the graph starts.</summary>
    public long? Origin { get; set; }

    /// <summary>How far one side may run ahead of the other before the lagging side is taken as silent (default 1 s).</summary>
    public TimeSpan MaxSkew { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest position gap filled with silence; a larger jump is taken as a discontinuity (default 60 s).</summary>
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Samples per channel written to the file so far.</summary>
    public long SamplesWritten => Interlocked.Read(ref _written);

    /// <summary>Frames dropped because their sample rate did not match the file's.</summary>
    public long FramesRejected => Interlocked.Read(ref _rejected);

    protected override void OnStart() => Open();

    internal void Open()
    {
        lock (_gate) _writer ??= new WavFileWriter(FilePath, new WavFormat(SampleRate, 2));
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        // One loop per input; the lock is held only to place a frame and write what both sides have.
        await Task.WhenAll(
            PumpAsync(Left, f => Take(_left, f), cancellationToken),
            PumpAsync(Right, f => Take(_right, f), cancellationToken)).ConfigureAwait(false);

        // Cancelled: frames still queued were delivered before the stop, so they belong in the file.
        while (Left.Reader.TryRead(out var l)) Take(_left, l);
        while (Right.Reader.TryRead(out var r)) Take(_right, r);
    }

    protected override ValueTask OnStoppedAsync() => DisposeAsync();

    /// <summary>Writes what is buffered (the shorter side padded with silence) and completes the file.
    /// Called when the graph stops; call it yourself if the graph never ran.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            var w = _writer;
            if (w is null) return ValueTask.CompletedTask;
            int longest = Math.Max(_left.Count, _right.Count);
            _left.AppendSilence(longest - _left.Count);
            _right.AppendSilence(longest - _right.Count);
            WriteBoth(w, longest);
            _writer = null;
            w.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal void TakeLeft(AudioFrame frame) => Take(_left, frame);

    internal void TakeRight(AudioFrame frame) => Take(_right, frame);

    private void Take(Side side, AudioFrame frame)
    {
        try
        {
            if (frame.SampleRate != SampleRate)
            {
                if (Interlocked.Increment(ref _rejected) == 1)
                {
                    Logger.LogWarning("{Node}: frame at {Rate} does not fit the {FileRate} recording {Path}; dropping such frames", Name, frame.SampleRate, SampleRate, FilePath);
                }

                return;
            }

            lock (_gate)
            {
                var w = _writer;
                if (w is null) return;
                Origin ??= frame.Position;
                long at = frame.Position - Origin.Value;
                long gap = at - (_written + side.Count);
                if (gap > 0 && gap <= SampleRate.SamplesIn(MaxGap)) side.AppendSilence((int)gap);
                side.Append(frame);
                WriteReady(w);
            }
        }
        finally
        {
            frame.Dispose();
        }
    }

    private void WriteReady(WavFileWriter w)
    {
        WriteBoth(w, Math.Min(_left.Count, _right.Count));

        // One side ran ahead by more than MaxSkew: the other has been silent; fill it and move on.
        int skew = SampleRate.SamplesIn(MaxSkew);
        int excess = Math.Max(_left.Count, _right.Count) - skew;
        if (excess > 0)
        {
            var lagging = _left.Count < _right.Count ? _left : _right;

            // Frames of the lagging side still queued mean it is slow, not silent: wait for them.
            if ((lagging == _left ? Left : Right).Pending > 0) return;
            lagging.AppendSilence(excess);
            WriteBoth(w, excess);
        }
    }

    private void WriteBoth(WavFileWriter w, int count)
    {
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(Chunk, count - done);
            var l = _left.Data.AsSpan(done, n);
            var r = _right.Data.AsSpan(done, n);
            for (int i = 0; i < n; i++)
            {
                _interleaved[2 * i] = l[i];
                _interleaved[2 * i + 1] = r[i];
            }

            w.Write(_interleaved.AsSpan(0, 2 * n));
            done += n;
        }

        _left.Consume(count);
        _right.Consume(count);
        Interlocked.Add(ref _written, count);
    }

    /// <summary>One channel's audio not yet written: the samples from the write position on.</summary>
    private sealed class Side
    {
        public short[] Data = new short[16000];
        public int Count;

        public void Append(AudioFrame frame)
        {
            int n = frame.SampleCount;
            Reserve(n);
            var dst = Data.AsSpan(Count, n);
            if (frame.Channels == 1)
            {
                frame.Samples.CopyTo(dst);
            }
            else
            {
                int ch = frame.Channels;
                var src = frame.Samples;
                for (int i = 0; i < n; i++)
                {
                    int sum = 0;
                    for (int c = 0; c < ch; c++) sum += src[i * ch + c];
                    dst[i] = (short)(sum / ch);
                }
            }

            Count += n;
        }

        public void AppendSilence(int n)
        {
            if (n <= 0) return;
            Reserve(n);
            Data.AsSpan(Count, n).Clear();
            Count += n;
        }

        public void Consume(int n)
        {
            if (n <= 0) return;
            Array.Copy(Data, n, Data, 0, Count - n);
            Count -= n;
        }

        private void Reserve(int n)
        {
            if (Count + n <= Data.Length) return;
            Array.Resize(ref Data, Math.Max(Data.Length * 2, Count + n));
        }
    }
}
