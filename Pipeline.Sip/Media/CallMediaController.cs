using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Codecs;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Nodes;
using Pipeline.Core.Rtp;

namespace Pipeline.Sip.Media;

/// <summary>
/// One call's media: turns each negotiated SDP outcome into graph edits, changing only what differs.
/// <code>
///   send:    source ──► sendTee ─┬─► sendGate (hold) ──► sendRate ──► encoder ──► RTP sender ──► UDP
///                                └─► sentTap ──► recorder.Sent
///            (no recorder: source ──► sentTap ──► sendGate ──► …, no tee and no copy)
///   receive: UDP ──► RTP receiver ──► jitter buffer ══clock══► decoder ──► receiveRate ──► receivedTap ──► recorder.Received
///            (a lost frame whose next packet is buffered: Opus rebuilds it from that packet's in-band FEC, else concealment)
///                               └──► dtmf (telephone-event) ──► dtmfTap
/// </code>
/// The call has one audio rate (<see cref="AudioRate"/>: <see cref="CallMediaOptions.AudioRate"/>, or the first
/// codec's): sources, taps and recorders run at it for the whole call. The two rate adapters convert to and from
/// the codec's rate when it differs (G.722 at 16 kHz on an 8 kHz call, Opus at 48 kHz) and pass frames through
/// untouched when it does not, so a re-INVITE may move the call to a codec of another rate or RTP clock.
/// <list type="table">
/// <item><term>first answer</term><description>build the graph for the codec, aim RTP at the remote, start.</description></item>
/// <item><term>hold (sendonly/inactive, c=0.0.0.0)</term><description>close the send gate and pause RTP; receive per direction.</description></item>
/// <item><term>retrieve / transfer / MOH re-INVITE</term><description>reopen the gate; retarget RTP (same SSRC and sequence); swap codec nodes only if the codec changed.</description></item>
/// <item><term>end</term><description>stop the graph (drain so the recorder writes everything), RTCP BYE, close sockets.</description></item>
/// </list>
/// Graph edits run between two clock ticks (<see cref="MediaGraph.EditAsync"/>). The RTP session outlives re-INVITEs.
/// </summary>
public sealed class CallMediaController : ICallMediaSession
{
    private readonly CallMediaOptions _options;
    private readonly string _callId;
    private readonly ILogger _logger;
    private readonly RtpSession _rtp;
    private readonly MediaGraph _graph;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly TapNode<AudioFrame> _receivedTap;
    private readonly TapNode<AudioFrame> _sentTap;
    private readonly TapNode<DtmfEvent> _dtmfTap;
    private readonly Dictionary<int, NegotiatedCodec> _decoderFormats = [];
    private readonly List<IDisposable> _codecInstances = []; // native codecs (Opus) made for this call, freed when it ends
    private AudioDecoderNode? _decoder;
    private AudioRateAdapterNode? _sendRate;
    private AudioRateAdapterNode? _receiveRate;
    private AudioEncoderNode? _encoder;
    private JitterBufferNode? _jitter;
    private SwitchNode<AudioFrame>? _sendGate;
    private SwitchNode<EncodedFrame>? _receiveGate;
    private string? _codecName;
    private int _disposed;

    internal CallMediaController(string callId, CallMediaOptions options)
    {
        _callId = callId;
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<CallMediaController>() ?? NullLogger<CallMediaController>.Instance;
        _rtp = new RtpSession(new RtpSessionOptions
        {
            LocalAddress = options.LocalAddress,
            MinPort = options.RtpPortLow,
            MaxPort = options.RtpPortHigh,
            SymmetricRtp = options.SymmetricRtp,
            RtcpInterval = options.RtcpInterval,
            Logger = _logger,
        });
        _graph = new MediaGraph(options.Clock ?? MediaClock.Shared, "call " + callId, _logger);
        _receivedTap = new TapNode<AudioFrame>("received-audio");
        _sentTap = new TapNode<AudioFrame>("sent-audio");
        _dtmfTap = new TapNode<DtmfEvent>("dtmf");
    }

    /// <summary>The call's audio rate: what sources must produce and what taps and recorders get (fixed at the first answer).</summary>
    public SampleRate AudioRate { get; private set; }

    /// <summary>The encoder in use (its rate may differ from <see cref="AudioRate"/>); null before the first answer.</summary>
    public IAudioEncoder? Encoder => _encoder?.Encoder;

    /// <summary>The call's Call-ID.</summary>
    public string CallId => _callId;

    public IPEndPoint LocalRtpEndPoint => _rtp.LocalRtpEndPoint;

    public NegotiatedMedia? Current { get; private set; }

    /// <summary>The graph of this call, for applications that add their own nodes (inside <see cref="MediaGraph.EditAsync"/>).</summary>
    public MediaGraph Graph => _graph;

    /// <summary>Decoded audio as it is played out (copies; a lease valid during OnNext).</summary>
    public IObservable<AudioFrame> ReceivedAudio => _receivedTap.Tap;

    /// <summary>Audio as it goes to the encoder (copies; a lease valid during OnNext).</summary>
    public IObservable<AudioFrame> SentAudio => _sentTap.Tap;

    /// <summary>RFC 4733 telephone events received (start and end of each digit).</summary>
    public IObservable<DtmfEvent> Dtmf => _dtmfTap.Tap;

    /// <summary>Playout counters of the jitter buffer (played, concealed, late…); null before the first answer.</summary>
    public JitterBufferStatistics? Playout => _jitter?.Statistics;

    /// <summary>RTP counters in full (RFC 3550 statistics, RTCP reports).</summary>
    public RtpStatistics RtpStatistics => _rtp.Statistics;

    public CallMediaStatistics Statistics
    {
        get
        {
            var s = _rtp.Statistics;
            var decoder = _decoder;
            return new CallMediaStatistics(_codecName, s.PacketsSent, s.OctetsSent, s.PacketsReceived, s.OctetsReceived, s.PacketsLost, s.JitterTime)
            {
                FramesConcealed = decoder?.FramesConcealed ?? 0,
                FecRecovered = decoder?.FramesRecovered ?? 0,
            };
        }
    }

    public async Task ApplyAsync(NegotiatedMedia media, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(media);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _applyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_graph.State == GraphState.Created)
            {
                Build(media);
                _graph.Start();
            }
            else
            {
                // Make the new codec's encoder outside the edit (the edit runs on the clock thread and must not fail there).
                var old = Current!;
                (CodecInfo, IAudioEncoder)? codec = old.Codec != media.Codec || old.PacketTime != media.PacketTime
                    ? (Resolve(media.Codec), CreateEncoder(media))
                    : null;
                JitterBufferNode? retired = null;
                await _graph.EditAsync(g => retired = Update(g, media, codec)).ConfigureAwait(false);
                if (retired is not null) await _graph.RemoveAsync(retired).ConfigureAwait(false);
            }

            Current = media;
            _logger.LogDebug("Call {CallId} media: {Codec}/{Rate} pt {Pt} -> {Remote} {Direction}", _callId, media.Codec.Name, media.Codec.ClockRate, media.Codec.PayloadType, media.RemoteRtp, media.Direction);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private CodecInfo Resolve(NegotiatedCodec codec)
    {
        if (!_options.Codecs.TryGet(codec.Name, new RtpClockRate(codec.ClockRate), out var info))
        {
            throw new NotSupportedException($"Codec {codec.Name}/{codec.ClockRate} was negotiated but has no implementation in the codec registry (known: {_options.Codecs.DescribeNames()}).");
        }

        return info;
    }

    private IAudioEncoder CreateEncoder(NegotiatedMedia media) =>
        Own(_options.Codecs.CreateEncoder(media.Codec.ToCodecFormat(media.PacketTime)));

    private T Own<T>(T codec)
    {
        if (codec is IDisposable d)
        {
            lock (_codecInstances) _codecInstances.Add(d);
        }

        return codec;
    }

    private void Build(NegotiatedMedia media)
    {
        var info = Resolve(media.Codec);
        var encoder = CreateEncoder(media);
        var g = _graph;
        _rtp.ClockRate = info.RtpClockRate;
        _rtp.TelephoneEventPayloadType = media.TelephoneEventPayloadType;
        _rtp.AddTo(g);
        var rate = _options.AudioRate ?? encoder.SampleRate;
        AudioRate = rate;

        // Receive path.
        _receiveGate = g.Add(new SwitchNode<EncodedFrame>("receive-gate", media.CanReceive));
        _jitter = g.Add(new FixedJitterBufferNode("jitter", info.RtpClockRate, _options.JitterBufferDelay));
        _decoder = g.Add(new AudioDecoderNode("decoder"));
        _receiveRate = g.Add(new AudioRateAdapterNode("receive-rate", rate));
        var clock = g.Clock;
        long startTick = clock.TickCount;
        SetDecoders(media);

        // Received audio starts on the call's timeline where it was heard (after the jitter buffer's delay); the
        // decoder counts in its own rate, the adapter carries that onto the call's rate.
        var decoderRate = _decoder.GetDecoder(media.Codec.PayloadType)?.SampleRate ?? rate;
        long samplesPerTick = decoderRate.SamplesIn(clock.Period);
        _decoder.InitialPositionSource = () => Math.Max(0, (clock.TickCount - startTick - 1) * samplesPerTick);
        g.Add(_receivedTap);
        g.Add(_dtmfTap);
        g.Connect(_rtp.Receiver.Output, _receiveGate.Input);
        g.Connect(_receiveGate.Output, _jitter.Input);
        g.Connect(_jitter.Output, _decoder.Input);
        g.Connect(_decoder.Output, _receiveRate.Input);
        g.Connect(_receiveRate.Output, _receivedTap.Input);
        g.Connect(_rtp.Receiver.Events, _dtmfTap.Input);

        // Send path.
        _encoder = g.Add(new AudioEncoderNode("encoder", encoder, media.Codec.PayloadType, media.PacketTime));
        _sendRate = g.Add(new AudioRateAdapterNode("send-rate", encoder.SampleRate) { TargetChannels = encoder.Channels });
        _sendGate = g.Add(new SwitchNode<AudioFrame>("send-gate", media.CanSend));
        g.Add(_sentTap);
        g.Connect(_sendGate.Output, _sendRate.Input);
        g.Connect(_sendRate.Output, _encoder.Input);
        g.Connect(_encoder.Output, _rtp.Sender.Input);

        var context = new CallAudioContext(_callId, rate, media.Codec);
        var recorder = _options.Recorder?.Invoke(context);

        // With a recorder the sent audio is teed off before the gate (the recording keeps what a held call would
        // have sent); without one the tap sits inline, so no node and no copy per frame is spent on it.
        InputPort<AudioFrame> sendIn;
        if (recorder is not null)
        {
            var tee = g.Add(new TeeNode<AudioFrame>("send-tee", 2));
            g.Connect(tee.Outputs[0], _sendGate.Input);
            g.Connect(tee.Outputs[1], _sentTap.Input);
            sendIn = tee.Input;
        }
        else
        {
            g.Connect(_sentTap.Output, _sendGate.Input);
            sendIn = _sentTap.Input;
        }

        var source = _options.Source?.Invoke(context);
        if (source is not null)
        {
            g.Add(source.Node);
            foreach (var n in source.ChainNodes) g.Add(n);
            source.Wire?.Invoke(g);
            g.Connect(source.Output, sendIn);
        }

        if (recorder is not null)
        {
            g.Add(recorder.Node);
            g.Connect(_receivedTap.Output, recorder.Received);
            g.Connect(_sentTap.Output, recorder.Sent);
        }

        _rtp.SetRemote(media.CanSend ? media.RemoteRtp : null, media.RemoteRtcp);
        _codecName = info.Name;
    }

    /// <summary>Maps every agreed payload type to a decoder made for its negotiated format; keeps the ones that did not change.</summary>
    private void SetDecoders(NegotiatedMedia media)
    {
        foreach (var c in media.Codecs)
        {
            if (c.IsTelephoneEvent) continue;
            if (_decoderFormats.TryGetValue(c.PayloadType, out var had) && had == c) continue;
            if (_options.Codecs.TryGet(c.Name, new RtpClockRate(c.ClockRate), out _))
            {
                _decoder!.SetDecoder(c.PayloadType, Own(_options.Codecs.CreateDecoder(c.ToCodecFormat(media.PacketTime))));
                _decoderFormats[c.PayloadType] = c;
            }
        }
    }

    /// <summary>Runs between two ticks: change only what differs from the running media. Returns a jitter buffer to
    /// remove after the edit when the RTP clock changed (Opus at 48 kHz after PCMU at 8 kHz).</summary>
    private JitterBufferNode? Update(MediaGraph g, NegotiatedMedia media, (CodecInfo Info, IAudioEncoder Encoder)? codec)
    {
        var old = Current!;
        JitterBufferNode? retired = null;
        if (codec is { } changed)
        {
            var (info, encoder) = changed;
            _sendRate!.TargetRate = encoder.SampleRate;
            _sendRate.TargetChannels = encoder.Channels;
            _encoder!.SetEncoder(encoder, media.Codec.PayloadType, media.PacketTime);
            if (info.RtpClockRate != _rtp.ClockRate)
            {
                _rtp.ClockRate = info.RtpClockRate;
                retired = _jitter;
                var jitter = g.Add(new FixedJitterBufferNode("jitter", info.RtpClockRate, _options.JitterBufferDelay));
                g.Disconnect(retired!.Output);
                g.Connect(_receiveGate!.Output, jitter.Input);
                g.Connect(jitter.Output, _decoder!.Input);
                _jitter = jitter;
            }

            _codecName = info.Name;
        }

        SetDecoders(media);
        _rtp.TelephoneEventPayloadType = media.TelephoneEventPayloadType;
        _sendGate!.IsOpen = media.CanSend;
        _receiveGate!.IsOpen = media.CanReceive;
        if (!Equals(old.RemoteRtp, media.RemoteRtp) || !Equals(old.RemoteRtcp, media.RemoteRtcp) || old.CanSend != media.CanSend)
        {
            _rtp.SetRemote(media.CanSend ? media.RemoteRtp : null, media.RemoteRtcp);
        }

        return retired;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        // Wait for an ApplyAsync in progress, so the graph is not started after it was stopped.
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _graph.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        finally
        {
            await _rtp.DisposeAsync().ConfigureAwait(false);
            _receivedTap.Tap.Complete();
            _sentTap.Tap.Complete();
            _dtmfTap.Tap.Complete();
            lock (_codecInstances)
            {
                foreach (var c in _codecInstances) c.Dispose();
                _codecInstances.Clear();
            }

            _applyGate.Release(); // not disposed: a caller already waiting then sees the session disposed
        }
    }
}
