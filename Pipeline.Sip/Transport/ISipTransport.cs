using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transport;

/// <summary>
/// A SIP transport (RFC 3261 §18). UDP today; TCP and TLS implement the same contract later (connection reuse
/// hidden behind <see cref="Send"/>). Received messages are valid and already carry received/rport on requests;
/// malformed ones were answered (400/505) or dropped by the transport.
/// </summary>
internal interface ISipTransport : IAsyncDisposable
{
    /// <summary>"UDP", "TCP" or "TLS", as written in Via.</summary>
    string Protocol { get; }

    /// <summary>The bound address (with the OS-chosen port when bound to port 0).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds and starts receiving; <paramref name="onMessage"/> is called for every valid message.</summary>
    void Start(Action<SipMessage, IPEndPoint> onMessage);

    /// <summary>Sends a message to <paramref name="destination"/>; errors are logged, never thrown.</summary>
    void Send(SipMessage message, IPEndPoint destination);

    /// <summary>Sends a response where §18.2.2 says (top Via: received/rport/sent-by).</summary>
    void SendResponse(SipResponse response);

    /// <summary>Sends an already encoded message over UDP (a completed transaction resending its final response); errors are logged, never thrown.</summary>
    void SendDatagram(byte[] datagram, IPEndPoint destination);
}
