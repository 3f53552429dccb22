using Pipeline.Core.Media;

namespace Pipeline.Devices;

/// <summary>
/// Plays a 16-bit PCM WAV file on the clock's beat.
/// <code>  clock tick ──► [next tick period of the file, at the file's rate] ──► AudioFrame</code>
/// <para>The whole file is read into memory when the node is made (so format errors surface at graph
/// build time and the clock thread never waits on the disk). Audio comes out at the file's own rate:
/// this node does not resample, so a graph that feeds an encoder of another rate must put a resampler
/// between or pick a matching file (an encoder node drops frames of the wrong rate and counts them).</para>
/// <para>Stereo files come out as stereo frames unless <c>downmixToMono</c> is set (the average of the two channels).</para>
/// </summary>
public sealed class WavFileSourceNode : AudioSourceNode
{
    private readonly short[] _data; // interleaved, in output channel layout
    private readonly long _frames;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _cursor;

    /// <param name="name">Node name.</param>
    /// <param name="path">A 16-bit PCM WAV file, mono or stereo.</param>
    /// <param name="end">What to do at the end of the file.</param>
    /// <param name="downmixToMono">Turn a stereo file into mono frames.</param>
    /// <exception cref="NotSupportedException">The file is not 16-bit PCM; the message names its format.</exception>
    public WavFileSourceNode(string name, string path, WavEndBehavior end = WavEndBehavior.Silence, bool downmixToMono = false)
        : this(name, Load(path, downmixToMono), end)
    {
        Path = path;
    }

    private WavFileSourceNode(string name, (WavFormat Format, short[] Data) file, WavEndBehavior end)
        : base(name, file.Format.SampleRate, file.Format.Channels)
    {
        _data = file.Data;
        _frames = file.Data.Length / file.Format.Channels;
        EndBehavior = end;
        if (_frames == 0 && end != WavEndBehavior.Loop) _ended.TrySetResult();
    }

    public string? Path { get; }

    public WavEndBehavior EndBehavior { get; }

    /// <summary>Length of the file in samples per channel.</summary>
    public long FileSampleCount => _frames;

    /// <summary>Completes when the end of the file has been played (never for <see cref="WavEndBehavior.Loop"/>).</summary>
    public Task Ended => _ended.Task;

    protected override bool Fill(Span<short> samples, int samplesPerChannel)
    {
        int ch = Channels;
        int done = 0;
        while (done < samplesPerChannel)
        {
            long left = _frames - _cursor;
            if (left <= 0)
            {
                if (EndBehavior == WavEndBehavior.Loop && _frames > 0)
                {
                    _cursor = 0;
                    continue;
                }

                if (EndBehavior == WavEndBehavior.Stop && done == 0)
                {
                    _ended.TrySetResult();
                    return false;
                }

                samples[(done * ch)..].Clear();
                _ended.TrySetResult();
                return true;
            }

            int n = (int)Math.Min(left, samplesPerChannel - done);
            _data.AsSpan((int)(_cursor * ch), n * ch).CopyTo(samples[(done * ch)..]);
            _cursor += n;
            done += n;
        }

        if (_cursor == _frames && EndBehavior != WavEndBehavior.Loop) _ended.TrySetResult();
        return true;
    }

    private static (WavFormat, short[]) Load(string path, bool downmix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (format, samples) = WavFile.ReadAll(path);
        if (!downmix || format.Channels == 1) return (format, samples);
        var mono = new short[samples.Length / 2];
        for (int i = 0; i < mono.Length; i++) mono[i] = (short)((samples[2 * i] + samples[2 * i + 1]) >> 1);
        return (format with { Channels = 1 }, mono);
    }
}
