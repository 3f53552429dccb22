using System.Buffers;

namespace Pipeline.Core.Media;

/// <summary>A block of 16-bit linear PCM audio, interleaved when stereo. Pooled: rent with
/// <see cref="Rent"/>, hand it on or <see cref="Dispose"/> it exactly once.</summary>
public sealed class AudioFrame : IMediaItem
{
    private static readonly MediaPool<AudioFrame> Pool = new(static _ => new AudioFrame());

    /// <summary>The pool every frame of this type comes from (tests count rents and returns on it).</summary>
    internal static MediaPool<AudioFrame> SharedPool => Pool;

    private short[] _buffer = [];
    private int _rented;

    private AudioFrame()
    {
    }

    /// <summary>Samples per channel.</summary>
    public int SampleCount { get; private set; }

    public int Channels { get; private set; }

    public SampleRate SampleRate { get; private set; }

    /// <summary>Position of the first sample on the stream's sample timeline (samples per channel since the stream began).</summary>
    public long Position { get; set; }

    /// <summary>True when the frame was made up (silence or concealment) because media was missing.</summary>
    public bool IsConcealment { get; set; }

    public TimeSpan Duration => SampleRate.DurationOf(SampleCount);

    /// <summary>The interleaved samples, <c>SampleCount * Channels</c> long.</summary>
    public Span<short> Samples => _buffer.AsSpan(0, SampleCount * Channels);

    public static AudioFrame Rent(SampleRate rate, int samplesPerChannel, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        if (channels is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An audio frame has 1 to 8 channels.");
        var f = Pool.Rent();
        int n = samplesPerChannel * channels;
        if (f._buffer.Length < n)
        {
            if (f._buffer.Length > 0) ArrayPool<short>.Shared.Return(f._buffer);
            f._buffer = ArrayPool<short>.Shared.Rent(n);
        }

        f.SampleCount = samplesPerChannel;
        f.Channels = channels;
        f.SampleRate = rate;
        f.Position = 0;
        f.IsConcealment = false;
        f._rented = 1;
        return f;
    }

    /// <summary>A frame of silence.</summary>
    public static AudioFrame RentSilence(SampleRate rate, int samplesPerChannel, int channels = 1)
    {
        var f = Rent(rate, samplesPerChannel, channels);
        f.Samples.Clear();
        return f;
    }

    public AudioFrame Clone()
    {
        var c = Rent(SampleRate, SampleCount, Channels);
        Samples.CopyTo(c.Samples);
        c.Position = Position;
        c.IsConcealment = IsConcealment;
        return c;
    }

    IMediaItem IMediaItem.CloneItem() => Clone();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            Pool.Return(this);
        }
    }
}
