using Microsoft.Extensions.Logging;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// Decodes codec payloads into PCM frames, choosing the decoder by payload type.
/// <code>
///   EncodedFrame ──► [PT ──► IAudioDecoder: Decode, or Conceal when IsLost] ──► AudioFrame (Position from the RTP timestamps)
///                         (IsLost with the next packet's payload, IAudioFecDecoder: TryDecodeFec first)
/// </code>
/// <para>Decoders are registered per payload type with <see cref="SetDecoder"/>, also while running
/// (a re-INVITE may change the codec or the payload-type map). A frame whose payload type has no decoder
/// is dropped and counted in <see cref="UnknownPayloadTypes"/>.</para>
/// <para>A lost frame (<see cref="EncodedFrame.IsLost"/>) is concealed by the decoder of its payload
/// type, or of the last frame when that type is unknown, for <see cref="EncodedFrame.DurationUnits"/>
/// (or the last frame's length when zero); the output has <see cref="AudioFrame.IsConcealment"/> set.</para>
/// <para>In-band FEC: when the placeholder carries the next packet's payload (<see cref="EncodedFrame.HasRecoveryPayload"/>,
/// the jitter buffer had that packet already) and the decoder of its payload type is an <see cref="IAudioFecDecoder"/>
/// (Opus), the lost frame is rebuilt from the FEC data in that packet instead (<see cref="FramesRecovered"/>); such a
/// frame is real, if coarser, audio: <see cref="AudioFrame.IsConcealment"/> stays false. A packet without FEC data
/// is concealed as before. <see cref="UseInbandFec"/> turns this off.</para>
/// <para><see cref="AudioFrame.Position"/> follows the RTP timestamps: the first frame gets
/// <see cref="InitialPosition"/>, later frames move on by their timestamp distance converted to samples.
/// A backward step or a jump larger than <see cref="MaxTimestampJump"/> (a new SSRC, a sender that
/// restarted) is treated as a discontinuity and the position simply continues.</para>
/// <para>The input frame is disposed. The node does not own decoders.</para>
/// </summary>
public sealed class AudioDecoderNode : Node
{
    private readonly object _gate = new();
    private IAudioDecoder?[] _decoders = new IAudioDecoder?[128];
    private IAudioDecoder? _last;
    private bool _started;
    private RtpTimestamp _expectedTimestamp;
    private long _nextPosition;
    private int _lastSamples;
    private long _decoded;
    private long _concealed;
    private long _recovered;
    private long _unknown;
    private long _failed;
    private long _fecErrors;
    private bool _useFec = true;

    public AudioDecoderNode(string name)
        : base(name)
    {
        Input = AddInput<EncodedFrame>("in");
        Output = AddOutput<AudioFrame>("out");
    }

    /// <param name="name">Node name.</param>
    /// <param name="payloadType">Payload type of <paramref name="decoder"/>.</param>
    /// <param name="decoder">The first decoder.</param>
    public AudioDecoderNode(string name, int payloadType, IAudioDecoder decoder)
        : this(name)
    {
        SetDecoder(payloadType, decoder);
    }

    public InputPort<EncodedFrame> Input { get; }

    public OutputPort<AudioFrame> Output { get; }

    /// <summary>Position given to the first frame (samples on the output timeline). Set it before the first
    /// frame arrives to line the received stream up with others (a recorder aligns by position).</summary>
    public long InitialPosition { get; set; }

    /// <summary>When set, asked for the first frame's position instead of <see cref="InitialPosition"/>: a call
    /// passes its sample timeline (samples since the call's media started) so that received audio lands where
    /// it was heard, however late the first packet came.</summary>
    public Func<long>? InitialPositionSource { get; set; }

    /// <summary>Largest forward timestamp step still taken as a gap in the same stream (default 60 s).</summary>
    public TimeSpan MaxTimestampJump { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Frames decoded from a payload.</summary>
    public long FramesDecoded => Interlocked.Read(ref _decoded);

    /// <summary>Frames made up for lost ones.</summary>
    public long FramesConcealed => Interlocked.Read(ref _concealed);

    /// <summary>Lost frames rebuilt from the in-band FEC of the packet after them (not counted in <see cref="FramesConcealed"/>).</summary>
    public long FramesRecovered => Interlocked.Read(ref _recovered);

    /// <summary>Rebuild lost frames from in-band FEC when the placeholder carries the next packet and the decoder can
    /// (default true); false: always conceal. May be set while running.</summary>
    public bool UseInbandFec
    {
        get => Volatile.Read(ref _useFec);
        set => Volatile.Write(ref _useFec, value);
    }

    /// <summary>Frames dropped because no decoder was registered for their payload type.</summary>
    public long UnknownPayloadTypes => Interlocked.Read(ref _unknown);

    /// <summary>Frames dropped because the decoder rejected the payload, and lost frames played as silence because the
    /// decoder could not conceal their length.</summary>
    public long DecodeFailures => Interlocked.Read(ref _failed);

    /// <summary>Maps <paramref name="payloadType"/> to <paramref name="decoder"/> (replacing any previous one), from the next frame on.</summary>
    public void SetDecoder(int payloadType, IAudioDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        Replace(payloadType, decoder);
    }

    /// <summary>Forgets the decoder of <paramref name="payloadType"/>; its frames are then dropped as unknown.</summary>
    public void RemoveDecoder(int payloadType) => Replace(payloadType, null);

    /// <summary>The decoder mapped to <paramref name="payloadType"/>, if any.</summary>
    public IAudioDecoder? GetDecoder(int payloadType) =>
        (uint)payloadType < 128 ? Volatile.Read(ref _decoders)[payloadType] : null;

    protected override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Process, cancellationToken);

    private void Replace(int payloadType, IAudioDecoder? decoder)
    {
        if (payloadType is < 0 or > 127) throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "An RTP payload type is 0 to 127.");
        lock (_gate)
        {
            // Copy on write: the media loop reads the array without a lock.
            var current = Volatile.Read(ref _decoders);
            var next = (IAudioDecoder?[])current.Clone();
            next[payloadType] = decoder;
            Volatile.Write(ref _decoders, next);
        }
    }

    internal void Process(EncodedFrame frame)
    {
        try
        {
            var map = Volatile.Read(ref _decoders);
            var decoder = (uint)frame.PayloadType < 128 ? map[frame.PayloadType] : null;
            if (frame.IsLost)
            {
                decoder ??= _last;
                if (decoder is null)
                {
                    Interlocked.Increment(ref _unknown);
                    return;
                }

                int samples = frame.DurationUnits > 0
                    ? ToSamples(decoder, frame.DurationUnits)
                    : (_lastSamples > 0 ? _lastSamples : decoder.SampleRate.SamplesIn(TimeSpan.FromMilliseconds(20)));
                var pcm = AudioFrame.Rent(decoder.SampleRate, samples, decoder.Channels);
                if (frame.HasRecoveryPayload && decoder is IAudioFecDecoder fec && UseInbandFec && TryRecover(fec, frame, pcm))
                {
                    Publish(pcm, decoder, frame.Timestamp, samples);
                    Interlocked.Increment(ref _recovered);
                    return;
                }

                try
                {
                    decoder.Conceal(pcm.Samples);
                }
                catch (ArgumentException ex)
                {
                    // A length the codec's concealment cannot make (e.g. G.722 Appendix IV works in 10 ms frames): silence keeps the timeline.
                    pcm.Samples.Clear();
                    if (Interlocked.Increment(ref _failed) == 1)
                    {
                        Logger.LogWarning(ex, "{Node}: {Codec} could not conceal {Samples} samples; playing silence instead", Name, decoder.Name, samples);
                    }
                }

                pcm.IsConcealment = true;
                Publish(pcm, decoder, frame.Timestamp, samples);
                Interlocked.Increment(ref _concealed);
                return;
            }

            if (decoder is null)
            {
                if (Interlocked.Increment(ref _unknown) == 1)
                {
                    Logger.LogWarning("{Node}: no decoder for payload type {PayloadType}; dropping such frames", Name, frame.PayloadType);
                }

                return;
            }

            var payload = frame.Payload;
            int count = decoder.GetSampleCount(payload);
            var output = AudioFrame.Rent(decoder.SampleRate, count, decoder.Channels);
            int written;
            try
            {
                written = decoder.Decode(payload, output.Samples);
            }
            catch (Exception ex)
            {
                output.Dispose();
                if (Interlocked.Increment(ref _failed) == 1)
                {
                    Logger.LogWarning(ex, "{Node}: {Codec} could not decode a {Length}-byte payload; dropping it", Name, decoder.Name, payload.Length);
                }

                return;
            }

            if (written < count) output.Samples[(written * decoder.Channels)..].Clear();
            Publish(output, decoder, frame.Timestamp, count);
            Interlocked.Increment(ref _decoded);
        }
        finally
        {
            frame.Dispose();
        }
    }

    private bool TryRecover(IAudioFecDecoder decoder, EncodedFrame frame, AudioFrame pcm)
    {
        try
        {
            return decoder.TryDecodeFec(frame.Payload, pcm.Samples);
        }
        catch (Exception ex)
        {
            // Bad FEC data from the wire: conceal instead.
            if (Interlocked.Increment(ref _fecErrors) == 1)
            {
                Logger.LogWarning(ex, "{Node}: {Codec} could not decode FEC from a {Length}-byte payload; concealing", Name, decoder.Name, frame.Length);
            }

            return false;
        }
    }

    private void Publish(AudioFrame pcm, IAudioDecoder decoder, RtpTimestamp timestamp, int samples)
    {
        if (!_started)
        {
            _nextPosition = InitialPositionSource?.Invoke() ?? InitialPosition;
            _started = true;
        }
        else if (_last is not null && decoder.SampleRate == _last.SampleRate && decoder.RtpClockRate == _last.RtpClockRate)
        {
            // Same clock as before: a forward step in RTP time is a gap on the sample timeline.
            // (After a codec change to another clock the position just continues.)
            int jump = timestamp - _expectedTimestamp;
            if (jump > 0)
            {
                long gapSamples = (long)jump * decoder.SampleRate.Hertz / decoder.RtpClockRate.Hertz;
                if (gapSamples <= decoder.SampleRate.SamplesIn(MaxTimestampJump)) _nextPosition += gapSamples;
            }
        }

        pcm.Position = _nextPosition;
        _nextPosition += samples;
        _expectedTimestamp = timestamp + (uint)((long)samples * decoder.RtpClockRate.Hertz / decoder.SampleRate.Hertz);
        _last = decoder;
        _lastSamples = samples;
        Output.Emit(pcm);
    }

    // A lost frame longer than a second is nonsense from upstream; conceal one second at most.
    private static int ToSamples(IAudioDecoder decoder, uint units) =>
        (int)Math.Min((long)units * decoder.SampleRate.Hertz / decoder.RtpClockRate.Hertz, decoder.SampleRate.Hertz);
}
