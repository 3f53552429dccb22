using System.Net;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>
/// Wraps a transport and drops a share of the datagrams in both directions (seeded, so a failing run repeats).
/// Every datagram between two endpoints crosses exactly one such decorator when only one side wears it.
/// </summary>
internal sealed class LossyTransport(ISipTransport inner, double lossRate, int seed) : ISipTransport
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int SentCount { get; private set; }

    public int DroppedSends { get; private set; }

    public int ReceivedCount { get; private set; }

    public int DroppedReceives { get; private set; }

    /// <summary>Requests sent per method and responses per "status method", counting dropped ones: shows the retransmissions.</summary>
    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public string Protocol => inner.Protocol;

    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

    private bool Drop(SipMessage message, bool send)
    {
        lock (_lock)
        {
            var name = (send ? "out " : "in ") + (message is SipRequest r ? r.Method : ((SipResponse)message).StatusCode + " " + message.CSeq.Method);
            Counts[name] = Counts.GetValueOrDefault(name) + 1;
            var drop = _random.NextDouble() < lossRate;
            if (send)
            {
                SentCount++;
                DroppedSends += drop ? 1 : 0;
            }
            else
            {
                ReceivedCount++;
                DroppedReceives += drop ? 1 : 0;
            }

            return drop;
        }
    }

    public void Start(Action<SipMessage, IPEndPoint> onMessage) => inner.Start((m, remote) =>
    {
        if (!Drop(m, send: false))
        {
            onMessage(m, remote);
        }
    });

    public void Send(SipMessage message, IPEndPoint destination)
    {
        if (!Drop(message, send: true))
        {
            inner.Send(message, destination);
        }
    }

    public void SendResponse(SipResponse response)
    {
        if (!Drop(response, send: true))
        {
            inner.SendResponse(response);
        }
    }

    public void SendDatagram(byte[] datagram, IPEndPoint destination)
    {
        if (SipParser.Parse(datagram, out _) is { } message && !Drop(message, send: true))
        {
            inner.SendDatagram(datagram, destination);
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
