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
///   send:    source ──► sendTee ─┬─► sendGate (hold) ──► encoder ──► RTP sender ──► UDP
///                                └─► sentTap ──► recorder.Sent
///            (no recorder: source ──► sentTap ──► sendGate ──► …, no tee and no copy)
///   receive: UDP ──► RTP receiver ──► jitter buffer ══clock══► decoder ──► receivedTap ──► recorder.Received
///                               └──► dtmf (telephone-event) ──► dtmfTap
/// </code>
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
    private AudioDecoderNode? _decoder;
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
            return new CallMediaStatistics(_codecName, s.PacketsSent, s.OctetsSent, s.PacketsReceived, s.OctetsReceived, s.PacketsLost, s.JitterTime);
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
                await _graph.EditAsync(_ => Update(media)).ConfigureAwait(false);
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
            throw new NotSupportedException($"Codec {codec.Name}/{codec.ClockRate} was negotiated but has no implementation in the codec registry.");
        }

        return info;
    }

    private void Build(NegotiatedMedia media)
    {
        var info = Resolve(media.Codec);
        var g = _graph;
        _rtp.ClockRate = info.RtpClockRate;
        _rtp.TelephoneEventPayloadType = media.TelephoneEventPayloadType;
        _rtp.AddTo(g);

        // Receive path.
        _receiveGate = g.Add(new SwitchNode<EncodedFrame>("receive-gate", media.CanReceive));
        _jitter = g.Add(new FixedJitterBufferNode("jitter", info.RtpClockRate, _options.JitterBufferDelay));
        _decoder = g.Add(new AudioDecoderNode("decoder"));
        var clock = g.Clock;
        long startTick = clock.TickCount;
        var rate = info.SampleRate;
        long samplesPerTick = rate.SamplesIn(clock.Period);

        // Received audio starts on the call's timeline where it was heard (after the jitter buffer's delay).
        _decoder.InitialPositionSource = () => Math.Max(0, (clock.TickCount - startTick - 1) * samplesPerTick);
        SetDecoders(media);
        g.Add(_receivedTap);
        g.Add(_dtmfTap);
        g.Connect(_rtp.Receiver.Output, _receiveGate.Input);
        g.Connect(_receiveGate.Output, _jitter.Input);
        g.Connect(_jitter.Output, _decoder.Input);
        g.Connect(_decoder.Output, _receivedTap.Input);
        g.Connect(_rtp.Receiver.Events, _dtmfTap.Input);

        // Send path.
        _encoder = g.Add(new AudioEncoderNode("encoder", _options.Codecs.CreateEncoder(info.Name), media.Codec.PayloadType, media.PacketTime));
        _sendGate = g.Add(new SwitchNode<AudioFrame>("send-gate", media.CanSend));
        g.Add(_sentTap);
        g.Connect(_sendGate.Output, _encoder.Input);
        g.Connect(_encoder.Output, _rtp.Sender.Input);

        var context = new CallAudioContext(_callId, info.SampleRate, media.Codec);
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

    private void SetDecoders(NegotiatedMedia media)
    {
        foreach (var c in media.Codecs)
        {
            if (_decoder!.GetDecoder(c.PayloadType) is { } existing && string.Equals(existing.Name, c.Name, StringComparison.OrdinalIgnoreCase)) continue;
            if (_options.Codecs.TryGet(c.Name, new RtpClockRate(c.ClockRate), out var info))
            {
                _decoder.SetDecoder(c.PayloadType, _options.Codecs.CreateDecoder(info.Name));
            }
        }
    }

    /// <summary>Runs between two ticks: change only what differs from the running media.</summary>
    private void Update(NegotiatedMedia media)
    {
        var old = Current!;
        if (!string.Equals(old.Codec.Name, media.Codec.Name, StringComparison.OrdinalIgnoreCase) || old.Codec.PayloadType != media.Codec.PayloadType || old.PacketTime != media.PacketTime)
        {
            var info = Resolve(media.Codec);
            if (info.RtpClockRate.Hertz != old.Codec.ClockRate)
            {
                throw new NotSupportedException($"Changing from {old.Codec.Name}/{old.Codec.ClockRate} to {media.Codec.Name}/{media.Codec.ClockRate} mid-call needs a resampler, which this build does not have.");
            }

            _encoder!.SetEncoder(_options.Codecs.CreateEncoder(info.Name), media.Codec.PayloadType, media.PacketTime);
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
            _applyGate.Release(); // not disposed: a caller already waiting then sees the session disposed
        }
    }
}
