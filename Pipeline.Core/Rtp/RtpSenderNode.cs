using System.Buffers.Binary;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Core.Rtp;

/// <summary>
/// Packs each <see cref="EncodedFrame"/> into one RTP packet and sends it to the session's current remote.
/// <code>  in (EncodedFrame) ──► [RTP header: SSRC, seq++, TS = base + frame TS, M] ──► UDP to RemoteRtpEndPoint</code>
/// While the session has no remote (paused, on hold) frames are dropped without using sequence numbers; the first
/// packet after a start or pause carries the marker bit. Lost-frame placeholders are never sent.
/// Get one from <see cref="RtpSession.Sender"/>.
/// </summary>
public sealed class RtpSenderNode : Node
{
    private readonly RtpSession _session;
    [ThreadStatic]
    private static byte[]? t_packet; // scratch per thread: Send fills and sends it synchronously

    internal RtpSenderNode(RtpSession session)
        : base("rtp-send")
    {
        _session = session;
        Input = AddInput<EncodedFrame>("in", capacity: 32);
    }

    public InputPort<EncodedFrame> Input { get; }

    protected internal override Task RunAsync(CancellationToken cancellationToken) => PumpAsync(Input, Send, cancellationToken);

    /// <summary>Sends one frame (the node loop calls this; tests may too). Takes ownership of <paramref name="frame"/>.</summary>
    internal void Send(EncodedFrame frame)
    {
        try
        {
            if (frame.IsLost) return;
            var remote = _session.RtpRemote;
            if (remote is null)
            {
                _session.MarkPaused();
                return;
            }

            bool marker = _session.TakeMarkerPending() | frame.Marker;
            ushort seq = _session.SequenceNumber;
            _session.SequenceNumber = unchecked((ushort)(seq + 1));
            uint ts = unchecked(_session.TimestampBase + frame.Timestamp.Value);
            var p = (t_packet ??= new byte[RtpHeader.FixedSize + EncodedFrame.MaxPayload]).AsSpan();
            p[0] = RtpHeader.Version2 << 6;
            p[1] = (byte)((marker ? 0x80 : 0) | (frame.PayloadType & 0x7F));
            BinaryPrimitives.WriteUInt16BigEndian(p[2..], seq);
            BinaryPrimitives.WriteUInt32BigEndian(p[4..], ts);
            BinaryPrimitives.WriteUInt32BigEndian(p[8..], _session.LocalSsrc);
            frame.Payload.CopyTo(p[RtpHeader.FixedSize..]);
            int length = RtpHeader.FixedSize + frame.Length;
            _session.Sockets.SendRtp(p[..length], remote.Address);
            _session.OnSent(frame.Length, ts);
        }
        finally
        {
            frame.Dispose();
        }
    }
}
