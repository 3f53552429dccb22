using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// An Opus encoder (RFC 6716; RTP payload format RFC 7587: rtpmap <c>opus/48000/2</c>, a dynamic payload type).
/// Made by <see cref="OpusCodec.CreateEncoder"/> on libopus or Concentus; both behave the same through this class.
/// <code>
///   PCM16 (8–48 kHz, 1–2 ch, 2.5–60 ms) ──► [apply pending settings] ──► libopus / Concentus ──► one Opus packet
/// </code>
/// <para><see cref="RtpClockRate"/> is always 48 kHz whatever <see cref="SampleRate"/> is (RFC 7587): a 20 ms frame
/// moves the RTP timestamp by 960 even at 8 kHz.</para>
/// <para><b>Settings while running.</b> <see cref="Bitrate"/>, <see cref="Complexity"/>, <see cref="UseInbandFec"/>,
/// <see cref="UseDtx"/> and <see cref="PacketLossPercent"/> may be set from any thread (for instance by whoever reads
/// RTCP receiver reports); the encoder takes them up at the start of the next <see cref="Encode"/>, so they never race
/// an encode in progress. <see cref="Encode"/> itself is for one thread at a time and, on libopus, allocates nothing.</para>
/// </summary>
public abstract class OpusEncoder : IAudioEncoder, IDisposable
{
    /// <summary>Largest packet for up to 60 ms: libopus's recommended upper bound for any packet.</summary>
    private const int MaxPacket = 4000;

    private int _bitrate;
    private int _complexity;
    private int _packetLoss;
    private bool _fec;
    private bool _dtx;
    private int _version = 1;
    private int _applied;
    private bool _disposed;

    private protected OpusEncoder(OpusEncoderOptions options)
    {
        SampleRate = options.SampleRate;
        Channels = options.Channels;
        Application = options.Application;
        FrameDuration = options.FrameDuration;
        FrameSamples = options.SampleRate.SamplesIn(options.FrameDuration);
        _bitrate = options.Bitrate;
        _complexity = options.Complexity;
        _packetLoss = options.PacketLossPercent;
        _fec = options.UseInbandFec;
        _dtx = options.UseDtx;
    }

    /// <summary><c>opus</c>, as in the rtpmap.</summary>
    public string Name => "opus";

    /// <summary>The rate of the PCM input, as configured.</summary>
    public SampleRate SampleRate { get; }

    /// <summary>Always 48,000 (RFC 7587).</summary>
    public RtpClockRate RtpClockRate => new(48000);

    public int Channels { get; }

    /// <summary>Which implementation this encoder runs on (<see cref="OpusImplementation.Native"/> or <see cref="OpusImplementation.Managed"/>).</summary>
    public abstract OpusImplementation Implementation { get; }

    public OpusApplication Application { get; }

    /// <summary>The configured frame length (<see cref="OpusEncoderOptions.FrameDuration"/>).</summary>
    public TimeSpan FrameDuration { get; }

    /// <summary>Samples per channel in <see cref="FrameDuration"/> at <see cref="SampleRate"/> (960 for 20 ms at 48 kHz).</summary>
    public int FrameSamples { get; }

    /// <summary>The encoder's look-ahead in samples per channel at <see cref="SampleRate"/>: how much later the decoded audio comes out.</summary>
    public abstract int Lookahead { get; }

    /// <summary>The look-ahead at 48 kHz: the pre-skip to put in an Ogg Opus header (RFC 7845 §4.2).</summary>
    public int PreSkip => Lookahead * (48000 / SampleRate.Hertz);

    /// <summary>Target bit rate in bit/s (500 to 512,000); takes effect from the next <see cref="Encode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public int Bitrate
    {
        get => Volatile.Read(ref _bitrate);
        set
        {
            OpusEncoderOptions.ValidateBitrate(value, nameof(Bitrate));
            Volatile.Write(ref _bitrate, value);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Complexity 0 to 10; takes effect from the next <see cref="Encode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public int Complexity
    {
        get => Volatile.Read(ref _complexity);
        set
        {
            OpusEncoderOptions.ValidateComplexity(value, nameof(Complexity));
            Volatile.Write(ref _complexity, value);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Expected packet loss 0 to 100 %; takes effect from the next <see cref="Encode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public int PacketLossPercent
    {
        get => Volatile.Read(ref _packetLoss);
        set
        {
            OpusEncoderOptions.ValidatePacketLoss(value, nameof(PacketLossPercent));
            Volatile.Write(ref _packetLoss, value);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>In-band FEC on or off (effective only with <see cref="PacketLossPercent"/> above 0); from the next <see cref="Encode"/>.</summary>
    public bool UseInbandFec
    {
        get => Volatile.Read(ref _fec);
        set
        {
            Volatile.Write(ref _fec, value);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Discontinuous transmission on or off; from the next <see cref="Encode"/>.</summary>
    public bool UseDtx
    {
        get => Volatile.Read(ref _dtx);
        set
        {
            Volatile.Write(ref _dtx, value);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>A room large enough for any packet of <paramref name="samplesPerChannel"/> samples: 1275 bytes per
    /// 20 ms frame plus framing, at most 4000 bytes (libopus's recommended bound).</summary>
    public int GetMaxEncodedLength(int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        int per20ms = SampleRate.Hertz / 50;
        int frames = Math.Max(1, (samplesPerChannel + per20ms - 1) / per20ms);
        return Math.Min(MaxPacket, (frames * 1275) + 7);
    }

    /// <summary>Encodes one Opus frame. <paramref name="pcm"/> holds 2.5, 5, 10, 20, 40 or 60 ms of interleaved audio.</summary>
    /// <returns>Bytes written: an Opus packet. One or two bytes mean the encoder found nothing worth sending
    /// (DTX during silence); such a packet is still valid and may be sent or left out.</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is not one of those lengths, or <paramref name="payload"/> is empty.</exception>
    /// <exception cref="OpusException">The library failed.</exception>
    /// <exception cref="ObjectDisposedException">The encoder was disposed.</exception>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int samples = pcm.Length / Channels;
        if (samples * Channels != pcm.Length || !IsFrameSize(samples))
        {
            throw new ArgumentException(
                $"Opus encodes 2.5, 5, 10, 20, 40 or 60 ms frames: {pcm.Length} samples is not one of those at {SampleRate.Hertz} Hz with {Channels} channel(s) (20 ms = {SampleRate.Hertz / 50 * Channels} samples).",
                nameof(pcm));
        }

        if (payload.Length < 3)
        {
            throw new ArgumentException($"Opus needs room for at least 3 bytes; {payload.Length} given (GetMaxEncodedLength says how much is enough).", nameof(payload));
        }

        int version = Volatile.Read(ref _version);
        if (version != _applied)
        {
            ApplySettings(Volatile.Read(ref _bitrate), Volatile.Read(ref _complexity), Volatile.Read(ref _packetLoss), Volatile.Read(ref _fec), Volatile.Read(ref _dtx));
            _applied = version;
        }

        return EncodeCore(pcm, samples, payload.Length > MaxPacket ? payload[..MaxPacket] : payload);
    }

    /// <summary>Back to the state of a fresh stream (settings are kept).</summary>
    public abstract void Reset();

    public void Dispose()
    {
        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"opus encoder ({Implementation}, {SampleRate.Hertz} Hz, {Channels} ch, {Bitrate} bit/s)";

    protected virtual void Dispose(bool disposing)
    {
    }

    private protected abstract int EncodeCore(ReadOnlySpan<short> pcm, int samplesPerChannel, Span<byte> payload);

    private protected abstract void ApplySettings(int bitrate, int complexity, int packetLossPercent, bool fec, bool dtx);

    /// <summary>Applies the settings now (creation calls this so that a failure surfaces there, not at the first frame).</summary>
    private protected void ApplyCurrentSettings()
    {
        int version = Volatile.Read(ref _version);
        ApplySettings(_bitrate, _complexity, _packetLoss, _fec, _dtx);
        _applied = version;
    }

    private bool IsFrameSize(int samples)
    {
        // 2.5 ms · 2^k for k = 0..3, plus 40 and 60 ms.
        int unit = SampleRate.Hertz / 400;
        return samples == unit || samples == 2 * unit || samples == 4 * unit || samples == 8 * unit || samples == 16 * unit || samples == 24 * unit;
    }
}
