using System.Net;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// Runs the session's RTP receive loop and turns packets into items, in arrival order.
/// <code>
///   UDP ──► validate (RtpHeader) ──► statistics (A.1/A.3/A.8) ──┬─► out    EncodedFrame (audio payload types)
///                                                                └─► events DtmfEvent   (telephone-event PT, RFC 4733)
///   RTCP multiplexed on the RTP port (RFC 5761) goes to the session's RTCP handling.
/// </code>
/// A frame's <see cref="EncodedFrame.Timestamp"/> is the packet's RTP timestamp and its marker is set on the first
/// packet of a new source (a new SSRC after a transfer) as well as when the packet had it, so the jitter buffer
/// resynchronises. Get one from <see cref="RtpSession.Receiver"/>.
/// </summary>
public sealed class RtpReceiverNode : Node
{
    private readonly RtpSession _session;
    private readonly DatagramHandler _handler;
    private uint _eventTimestamp;
    private bool _haveEvent;
    private bool _eventEnded;

    internal RtpReceiverNode(RtpSession session)
        : base("rtp-receive")
    {
        _session = session;
        _handler = OnDatagram;
        Output = AddOutput<EncodedFrame>("out");
        Events = AddOutput<DtmfEvent>("events");
    }

    /// <summary>Audio frames in arrival order (connect to a jitter buffer).</summary>
    public OutputPort<EncodedFrame> Output { get; }

    /// <summary>Telephone events, one at the start and one at the end of each.</summary>
    public OutputPort<DtmfEvent> Events { get; }

    protected internal override Task RunAsync(CancellationToken cancellationToken) => _session.Sockets.ReceiveRtpAsync(_handler, cancellationToken);

    internal void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (RtpHeader.LooksLikeRtcp(datagram))
        {
            _session.OnRtcpReceived(datagram, from);
            return;
        }

        if (!RtpHeader.TryRead(datagram, out var h) || h.PayloadLength > EncodedFrame.MaxPayload)
        {
            _session.OnMalformed();
            return;
        }

        bool isEvent = _session.IsTelephoneEvent(h.PayloadType);
        bool newSource = _session.OnRtpReceived(h, from, isEvent);
        if (newSource) _haveEvent = false;
        if (isEvent)
        {
            OnTelephoneEvent(h);
            return;
        }

        var frame = EncodedFrame.Rent(h.PayloadLength);
        h.Payload.CopyTo(frame.Payload);
        frame.PayloadType = h.PayloadType;
        frame.Timestamp = h.Timestamp;
        frame.Marker = h.Marker || newSource;
        Output.Emit(frame);
    }

    private void OnTelephoneEvent(in RtpHeader h)
    {
        if (!DtmfEvent.TryReadPayload(h.Payload, out int code, out bool end, out int volume, out ushort duration))
        {
            _session.OnMalformed();
            return;
        }

        uint ts = h.Timestamp.Value;
        bool isNew = !_haveEvent || ts != _eventTimestamp;
        if (isNew)
        {
            _haveEvent = true;
            _eventTimestamp = ts;
            _eventEnded = false;
            Emit(code, false, volume, duration, ts);
        }

        if (end && !_eventEnded)
        {
            _eventEnded = true;
            Emit(code, true, volume, duration, ts);
        }
    }

    private void Emit(int code, bool end, int volume, ushort duration, uint ts)
    {
        var e = DtmfEvent.Rent();
        e.Event = code;
        e.IsEnd = end;
        e.Volume = volume;
        e.DurationUnits = duration;
        e.Timestamp = new RtpTimestamp(ts);
        Events.Emit(e);
    }
}
