using System.Net;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>An in-memory transport that records what is sent and when (virtual time).</summary>
internal sealed class RecordingTransport(ManualTimeProvider time) : ISipTransport
{
    public List<(TimeSpan At, SipMessage Message, IPEndPoint? To)> Sent { get; } = [];

    public string Protocol => "UDP";

    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5099);

    public void Start(Action<SipMessage, IPEndPoint> onMessage)
    {
    }

    public void Send(SipMessage message, IPEndPoint destination) => Sent.Add((time.Elapsed, message, destination));

    public void SendResponse(SipResponse response) => Sent.Add((time.Elapsed, response, SipResponseRouting.Destination(response)));

    /// <summary>Recorded parsed, like the messages, so retransmissions from completed transactions show up too.</summary>
    public void SendDatagram(byte[] datagram, IPEndPoint destination) => Sent.Add((time.Elapsed, SipParser.Parse(datagram, out _)!, destination));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
