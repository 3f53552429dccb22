using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// An Opus decoder (RFC 6716 / RFC 7587). Made by <see cref="OpusCodec.CreateDecoder"/> on libopus or Concentus.
/// <code>
///   Opus packet ──► Decode ──────────────► PCM16 at SampleRate (any packet, any mode, 2.5–120 ms)
///   (lost)      ──► Conceal ─────────────► libopus PLC: extrapolated audio that fades out over a long gap
///   next packet ──► DecodeFec (lost one) ► the lost frame rebuilt from the next packet's in-band FEC
/// </code>
/// <para>A receiver that has the packet after a loss should call <see cref="DecodeFec"/> for the missing frame and
/// then <see cref="Decode"/> for that packet itself; without the next packet, <see cref="Conceal"/>.
/// <see cref="TryDecodeFec"/> (<see cref="IAudioFecDecoder"/>, what <see cref="AudioDecoderNode"/> calls) does the same
/// only when the packet really carries FEC, and says so.
/// <see cref="RtpClockRate"/> is always 48 kHz. One thread at a time; on libopus nothing here allocates.</para>
/// </summary>
public abstract class OpusDecoder : IAudioFecDecoder, IDisposable
{
    private bool _disposed;

    private protected OpusDecoder(SampleRate sampleRate, int channels)
    {
        SampleRate = sampleRate;
        Channels = channels;
        MaxFrameSamples = sampleRate.Hertz / 400 * 48; // 120 ms, the longest Opus packet
    }

    /// <summary><c>opus</c>, as in the rtpmap.</summary>
    public string Name => "opus";

    /// <summary>The rate of the decoded PCM, as configured (Opus decodes any packet at any of its rates).</summary>
    public SampleRate SampleRate { get; }

    /// <summary>Always 48,000 (RFC 7587).</summary>
    public RtpClockRate RtpClockRate => new(48000);

    public int Channels { get; }

    /// <summary>Which implementation this decoder runs on.</summary>
    public abstract OpusImplementation Implementation { get; }

    /// <summary>Samples per channel in 120 ms, the longest packet.</summary>
    private protected int MaxFrameSamples { get; }

    /// <summary>Samples per channel that <paramref name="payload"/> decodes to at <see cref="SampleRate"/>; 0 for a
    /// payload that is not a valid Opus packet (then <see cref="Decode"/> rejects it).</summary>
    public abstract int GetSampleCount(ReadOnlySpan<byte> payload);

    /// <summary>Decodes one Opus packet into <paramref name="pcm"/> (interleaved).</summary>
    /// <returns>Samples per channel written.</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is too small for the packet.</exception>
    /// <exception cref="InvalidDataException"><paramref name="payload"/> is empty or not a valid Opus packet (bad input from the wire).</exception>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (payload.IsEmpty) throw new InvalidDataException("An empty payload is not an Opus packet (a lost frame is concealed with Conceal).");
        int samples = GetSampleCount(payload);
        if (samples <= 0) throw new InvalidDataException($"A {payload.Length}-byte payload (TOC 0x{payload[0]:X2}) is not a valid Opus packet.");
        if (pcm.Length < samples * Channels)
        {
            throw new ArgumentException($"The Opus packet decodes to {samples} samples per channel ({samples * Channels} in all); room for {pcm.Length}.", nameof(pcm));
        }

        return DecodeCore(payload, pcm[..(samples * Channels)], samples, fec: false);
    }

    /// <summary>Fills all of <paramref name="pcm"/> with libopus's packet loss concealment (Concentus's port of it on
    /// the managed path): the last pitch period extrapolated (SILK) or the last spectrum continued (CELT), fading
    /// over a long gap; the decoder's state follows, so the next packet joins smoothly. Any length works; lengths
    /// that are a multiple of 2.5 ms (every 10 or 20 ms tick is) are concealed exactly.</summary>
    /// <exception cref="ArgumentException">A length that is not a whole number of frames of <see cref="Channels"/> channels.</exception>
    public void Conceal(Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int samples = CheckWhole(pcm, nameof(pcm));
        int unit = SampleRate.Hertz / 400;
        int done = 0;
        Span<short> scratch = stackalloc short[240]; // 2.5 ms at 48 kHz stereo, for a tail shorter than 2.5 ms
        while (done < samples)
        {
            int left = samples - done;
            if (left >= unit)
            {
                int n = Math.Min(left - (left % unit), MaxFrameSamples);
                DecodeCore(default, pcm.Slice(done * Channels, n * Channels), n, fec: false);
                done += n;
            }
            else
            {
                // A tail shorter than 2.5 ms: conceal 2.5 ms and keep its head.
                DecodeCore(default, scratch[..(unit * Channels)], unit, fec: false);
                scratch[..(left * Channels)].CopyTo(pcm[(done * Channels)..]);
                done = samples;
            }
        }
    }

    /// <summary>Rebuilds a lost frame from the in-band FEC carried in <paramref name="nextPayload"/>, the packet that
    /// followed the loss. <paramref name="pcm"/> must be exactly the lost frame's length (a multiple of 2.5 ms, e.g.
    /// 20 ms). Call it before decoding <paramref name="nextPayload"/> itself with <see cref="Decode"/>.
    /// When the packet carries no FEC (the sender did not enable it, or coded that frame in CELT mode) libopus falls back
    /// to concealment, so the output is never worse than <see cref="Conceal"/>.</summary>
    /// <returns>Samples per channel written (all of <paramref name="pcm"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is not a multiple of 2.5 ms, or longer than 120 ms.</exception>
    /// <exception cref="InvalidDataException"><paramref name="nextPayload"/> is empty or not a valid Opus packet.</exception>
    public int DecodeFec(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nextPayload.IsEmpty) throw new InvalidDataException("An empty payload carries no FEC (use Conceal).");
        if (GetSampleCount(nextPayload) <= 0) throw new InvalidDataException($"A {nextPayload.Length}-byte payload (TOC 0x{nextPayload[0]:X2}) is not a valid Opus packet.");
        int samples = CheckWhole(pcm, nameof(pcm));
        int unit = SampleRate.Hertz / 400;
        if (samples == 0 || samples % unit != 0 || samples > MaxFrameSamples)
        {
            throw new ArgumentException($"FEC recovers whole Opus frames: {samples} samples per channel is not a multiple of 2.5 ms ({unit} samples) up to 120 ms at {SampleRate.Hertz} Hz.", nameof(pcm));
        }

        return DecodeCore(nextPayload, pcm, samples, fec: true);
    }

    /// <summary>Rebuilds a lost frame from the in-band FEC (LBRR) in <paramref name="nextPayload"/> when it carries some
    /// (<see cref="IAudioFecDecoder"/>); see <see cref="DecodeFec"/>. Returns false, touching nothing, when the packet
    /// carries no LBRR data (the sender did not enable FEC, the frame before was not worth protecting, or the packet is
    /// CELT only), is not a valid Opus packet, or <paramref name="pcm"/> is not a whole number of 2.5 ms up to 120 ms
    /// at least as long as one frame of the packet (shorter, libopus would only conceal).</summary>
    public bool TryDecodeFec(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!OpusPacket.HasLbrr(nextPayload) || GetSampleCount(nextPayload) <= 0) return false;
        int samples = pcm.Length / Channels;
        int unit = SampleRate.Hertz / 400;
        if (samples * Channels != pcm.Length || samples == 0 || samples % unit != 0 || samples > MaxFrameSamples) return false;
        if (samples < OpusPacket.SamplesPerFrame(nextPayload[0], SampleRate.Hertz)) return false;
        DecodeCore(nextPayload, pcm, samples, fec: true);
        return true;
    }

    /// <summary>Back to the state of a fresh stream.</summary>
    public abstract void Reset();

    public void Dispose()
    {
        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"opus decoder ({Implementation}, {SampleRate.Hertz} Hz, {Channels} ch)";

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Decodes <paramref name="payload"/> (empty: concealment) into exactly <paramref name="samples"/> per channel.</summary>
    private protected abstract int DecodeCore(ReadOnlySpan<byte> payload, Span<short> pcm, int samples, bool fec);

    private int CheckWhole(Span<short> pcm, string name)
    {
        int samples = pcm.Length / Channels;
        if (samples * Channels != pcm.Length)
        {
            throw new ArgumentException($"{pcm.Length} samples is not a whole number of {Channels}-channel frames.", name);
        }

        return samples;
    }
}
