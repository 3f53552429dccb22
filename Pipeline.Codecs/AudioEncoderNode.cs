using Microsoft.Extensions.Logging;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// Encodes PCM frames into codec payloads with RTP timing.
/// <code>
///   AudioFrame ──► [encoder: (optional) packetise to ptime ──► IAudioEncoder.Encode] ──► EncodedFrame (PT, timestamp, duration)
/// </code>
/// <para>The RTP timestamp starts at a random value (or the one given) and advances by each packet's
/// samples converted to RTP units (G.722: 320 samples at 16 kHz are 160 units of its 8 kHz clock).
/// When a frame's <see cref="AudioFrame.Position"/> jumps forward, the timestamp jumps with it and the
/// next packet carries the marker bit (start of a talkspurt, RFC 3551 §4.1); the first packet has it too.</para>
/// <para>Without a packet duration each input frame becomes one packet. With one (the SDP ptime),
/// frames are gathered until a packet is full, so a 10 ms clock can feed 20 or 30 ms packets.</para>
/// <para>The input frame is disposed. A frame whose rate or channel count does not match the encoder is
/// dropped and counted in <see cref="FormatMismatches"/> (this node does not resample).</para>
/// <para>An encoder may return 0 bytes for a packet (discontinuous transmission: G.729 Annex B during silence).
/// Then no packet is sent, the RTP timestamp still advances by the packet's duration, the next packet carries
/// the marker bit (it starts a talkspurt, RFC 3551 §4.1), and <see cref="PacketsSuppressed"/> counts it.</para>
/// <para><see cref="SetEncoder"/> swaps the codec while running (a re-INVITE changed it); the timestamp
/// continues (after a switch to another sample rate, input positions start a new scale). The node does not own encoders: the caller disposes them if they need it.</para>
/// </summary>
public sealed class AudioEncoderNode : Node
{
    private volatile Config _pending;
    private Config _config;
    private RtpTimeline _timeline;
    private RtpTimestamp _nextTimestamp;
    private long _nextPosition;
    private bool _started;
    private bool _marker = true;

    // Packetisation buffer (only when a packet duration is set).
    private short[] _packet = [];
    private int _packetFill;
    private int _packetSamples;
    private RtpTimestamp _packetTimestamp;

    private long _packets;
    private long _suppressed;
    private long _mismatches;

    /// <param name="name">Node name.</param>
    /// <param name="encoder">The codec.</param>
    /// <param name="payloadType">RTP payload type to stamp on packets (0 to 127).</param>
    /// <param name="packetDuration">Packet duration (ptime); null packs each input frame into one packet.</param>
    /// <param name="initialTimestamp">First RTP timestamp; null picks a random one (RFC 3550 §5.1).</param>
    public AudioEncoderNode(string name, IAudioEncoder encoder, int payloadType, TimeSpan? packetDuration = null, RtpTimestamp? initialTimestamp = null)
        : base(name)
    {
        _config = _pending = MakeConfig(encoder, payloadType, packetDuration);
        _timeline = new RtpTimeline(encoder.SampleRate, encoder.RtpClockRate);
        _nextTimestamp = initialTimestamp ?? new RtpTimestamp((uint)Random.Shared.NextInt64(0, 1L << 32));
        Input = AddInput<AudioFrame>("in");
        Output = AddOutput<EncodedFrame>("out");
        ApplyPacketSize();
    }

    public InputPort<AudioFrame> Input { get; }

    public OutputPort<EncodedFrame> Output { get; }

    /// <summary>The encoder in use (or about to be, after <see cref="SetEncoder"/>).</summary>
    public IAudioEncoder Encoder => _pending.Encoder;

    /// <summary>The payload type stamped on packets.</summary>
    public int PayloadType => _pending.PayloadType;

    /// <summary>The RTP timestamp the next packet will carry when audio continues without a gap.</summary>
    public RtpTimestamp NextTimestamp => _nextTimestamp;

    /// <summary>Packets emitted.</summary>
    public long PacketsEncoded => Interlocked.Read(ref _packets);

    /// <summary>Packets not sent because the encoder produced no bytes for them (DTX).</summary>
    public long PacketsSuppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Input frames dropped because their rate or channels did not match the encoder.</summary>
    public long FormatMismatches => Interlocked.Read(ref _mismatches);

    /// <summary>Switches codec from the next frame on. Audio gathered for a partly filled packet of the
    /// old codec is dropped. The timestamp continues (converted to the new clock from there on).</summary>
    public void SetEncoder(IAudioEncoder encoder, int payloadType, TimeSpan? packetDuration = null) =>
        _pending = MakeConfig(encoder, payloadType, packetDuration);

    protected override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Process, cancellationToken);

    private static Config MakeConfig(IAudioEncoder encoder, int payloadType, TimeSpan? packetDuration)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (payloadType is < 0 or > 127) throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "An RTP payload type is 0 to 127.");
        int samples = 0;
        if (packetDuration is TimeSpan d)
        {
            if (d <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(packetDuration), d, "A packet duration must be positive.");
            samples = encoder.SampleRate.SamplesIn(d);
            if (samples == 0) throw new ArgumentOutOfRangeException(nameof(packetDuration), d, $"A packet of {d.TotalMilliseconds} ms holds no sample at {encoder.SampleRate}.");
            if (encoder.GetMaxEncodedLength(samples) > EncodedFrame.MaxPayload)
            {
                throw new ArgumentOutOfRangeException(nameof(packetDuration), d, $"A {d.TotalMilliseconds} ms packet of {encoder.Name} does not fit in {EncodedFrame.MaxPayload} bytes.");
            }
        }

        return new Config(encoder, payloadType, samples);
    }

    private void ApplyPacketSize()
    {
        _packetSamples = _config.PacketSamples;
        _packetFill = 0;
        int needed = _packetSamples * _config.Encoder.Channels;
        if (_packet.Length < needed) _packet = new short[needed];
    }

    internal void Process(AudioFrame frame)
    {
        try
        {
            var pending = _pending;
            if (!ReferenceEquals(pending, _config))
            {
                // Positions of another rate are on another scale: the first frame after such a switch is not a gap.
                if (pending.Encoder.SampleRate != _config.Encoder.SampleRate) _started = false;
                _config = pending;
                _timeline = new RtpTimeline(pending.Encoder.SampleRate, pending.Encoder.RtpClockRate);
                ApplyPacketSize();
            }

            var enc = _config.Encoder;
            if (frame.SampleRate != enc.SampleRate || frame.Channels != enc.Channels)
            {
                if (Interlocked.Increment(ref _mismatches) == 1)
                {
                    Logger.LogWarning(
                        "{Node}: {Codec} takes {Rate} with {Channels} channel(s) but got {FrameRate} with {FrameChannels}; dropping such frames",
                        Name, enc.Name, enc.SampleRate, enc.Channels, frame.SampleRate, frame.Channels);
                }

                return;
            }

            AdvanceOverGap(frame.Position);
            _nextPosition = frame.Position + frame.SampleCount;

            if (_packetSamples == 0)
            {
                EmitPacket(frame.Samples, frame.SampleCount, _nextTimestamp);
                _nextTimestamp += _timeline.Advance(frame.SampleCount);
            }
            else
            {
                Gather(frame.Samples, frame.SampleCount);
            }
        }
        finally
        {
            frame.Dispose();
        }
    }

    private void AdvanceOverGap(long position)
    {
        if (!_started)
        {
            _started = true;
            return;
        }

        long gap = position - _nextPosition;
        if (gap <= 0) return; // contiguous, or a new source restarted its count: carry on

        // Finish a partly filled packet with silence, then skip the rest of the gap in RTP time.
        if (_packetSamples > 0 && _packetFill > 0)
        {
            int pad = (int)Math.Min(gap, _packetSamples - _packetFill);
            int ch = _config.Encoder.Channels;
            _packet.AsSpan(_packetFill * ch, pad * ch).Clear();
            _packetFill += pad;
            _nextTimestamp += _timeline.Advance(pad);
            gap -= pad;
            if (_packetFill == _packetSamples)
            {
                EmitPacket(_packet.AsSpan(0, _packetSamples * ch), _packetSamples, _packetTimestamp);
                _packetFill = 0;
            }
        }

        if (gap > 0)
        {
            _nextTimestamp += _timeline.Advance(gap);
            _marker = true;
        }
    }

    private void Gather(ReadOnlySpan<short> samples, int count)
    {
        int ch = _config.Encoder.Channels;
        int offset = 0;
        while (offset < count)
        {
            if (_packetFill == 0) _packetTimestamp = _nextTimestamp;
            int n = Math.Min(count - offset, _packetSamples - _packetFill);
            samples.Slice(offset * ch, n * ch).CopyTo(_packet.AsSpan(_packetFill * ch));
            _packetFill += n;
            offset += n;
            _nextTimestamp += _timeline.Advance(n);
            if (_packetFill == _packetSamples)
            {
                EmitPacket(_packet.AsSpan(0, _packetSamples * ch), _packetSamples, _packetTimestamp);
                _packetFill = 0;
            }
        }
    }

    private void EmitPacket(ReadOnlySpan<short> pcm, int samplesPerChannel, RtpTimestamp timestamp)
    {
        var enc = _config.Encoder;
        var packet = EncodedFrame.Rent();
        try
        {
            int max = enc.GetMaxEncodedLength(samplesPerChannel);
            if (max > EncodedFrame.MaxPayload)
            {
                throw new InvalidOperationException($"{samplesPerChannel} samples of {enc.Name} need up to {max} bytes, more than an encoded frame holds ({EncodedFrame.MaxPayload}).");
            }

            int length = enc.Encode(pcm, packet.Buffer);
            if (length == 0)
            {
                // DTX: nothing to send for this packet; the next one starts a talkspurt.
                packet.Dispose();
                _marker = true;
                Interlocked.Increment(ref _suppressed);
                return;
            }

            packet.SetLength(length);
            packet.PayloadType = _config.PayloadType;
            packet.Timestamp = timestamp;
            var units = new RtpTimeline(enc.SampleRate, enc.RtpClockRate).Advance(samplesPerChannel);
            packet.DurationUnits = units;
            packet.Marker = _marker;
            _marker = false;
        }
        catch
        {
            packet.Dispose();
            throw;
        }

        Interlocked.Increment(ref _packets);
        Output.Emit(packet);
    }

    private sealed record Config(IAudioEncoder Encoder, int PayloadType, int PacketSamples);
}
