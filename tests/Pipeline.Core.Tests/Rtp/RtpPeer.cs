using System.Net;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Core.Rtp;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Rtp;

/// <summary>One side of a test call: an RtpSession on 127.0.0.1 in a graph driven by a manual clock,
/// with sinks on the receiver's outputs.</summary>
internal sealed class RtpPeer : IAsyncDisposable
{
    public RtpPeer(string name, bool symmetric = false, TimeSpan? rtcpInterval = null)
    {
        Clock = new MediaClock(TimeSpan.FromMilliseconds(20), manual: true);
        Graph = new MediaGraph(Clock, name);
        Session = new RtpSession(new RtpSessionOptions
        {
            LocalAddress = IPAddress.Loopback,
            SymmetricRtp = symmetric,
            RtcpInterval = rtcpInterval ?? TimeSpan.FromSeconds(5),
        });
        Session.AddTo(Graph);
        Frames = Graph.Add(new SinkNode<EncodedFrame>("frames"));
        Events = Graph.Add(new SinkNode<DtmfEvent>("events"));
        Graph.Connect(Session.Receiver.Output, Frames.Input);
        Graph.Connect(Session.Receiver.Events, Events.Input);
    }

    public MediaClock Clock { get; }

    public MediaGraph Graph { get; }

    public RtpSession Session { get; }

    public SinkNode<EncodedFrame> Frames { get; }

    public SinkNode<DtmfEvent> Events { get; }

    public void Start() => Graph.Start();

    /// <summary>Queues <paramref name="count"/> 20 ms G.711 frames (160 bytes) starting at frame index <paramref name="first"/>.</summary>
    public void SendFrames(int count, int first = 0, int payloadType = 0)
    {
        for (int i = first; i < first + count; i++)
        {
            var f = EncodedFrame.Rent(160);
            f.Payload.Fill((byte)i);
            f.PayloadType = payloadType;
            f.Timestamp = new RtpTimestamp((uint)(i * 160));
            f.DurationUnits = 160;
            // The sender's input is a real-time edge (drops the oldest when full): pace the burst.
            SpinWait.SpinUntil(() => Session.Sender.Input.Pending < 16, TimeSpan.FromSeconds(2));
            Session.Sender.Input.Write(f);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Graph.StopAsync(TimeSpan.Zero);
        await Session.DisposeAsync();
    }
}
