using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sip.Resolution;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transport;

/// <summary>
/// The transports of one endpoint behind the single <see cref="ISipTransport"/> the transaction layer sees.
/// <code>
///   request ─► choose (§18.1.1: sips / transport= of the next hop, size > 1300 ⇒ TCP, else the default)
///           ─► stamp top Via (SIP/2.0/UDP|TCP|TLS, our port for it, alias on streams) and our Contact (;transport=)
///           ─► UDP socket | TCP connection table | TLS connection table
///   response ─► the connection its request came on while open (§18.2.2), else by the top Via
/// </code>
/// A request sent over TCP only because of its size falls back to UDP when the connection cannot be made.
/// Other send failures of requests are reported through <see cref="SendFailed"/> (any thread).
/// </summary>
internal sealed class SipTransportSet : ISipTransport
{
    /// <summary>RFC 3261 §18.1.1: requests within 200 bytes of a 1500-byte MTU go over a congestion-controlled transport.</summary>
    public const int UdpSizeLimit = 1300;

    private readonly ConditionalWeakTable<SipRequest, Decision> _decisions = [];
    private readonly ILogger _log;

    public SipTransportSet(UdpSipTransport udp, StreamSipTransport tcp, StreamSipTransport tls, SipTransportKind defaultKind, ILogger? logger = null)
    {
        Udp = udp;
        Tcp = tcp;
        Tls = tls;
        Default = defaultKind;
        _log = logger ?? NullLogger.Instance;
    }

    public UdpSipTransport Udp { get; }

    public StreamSipTransport Tcp { get; }

    public StreamSipTransport Tls { get; }

    public SipTransportKind Default { get; }

    /// <summary>Told when a request could not be sent (connection refused, TLS handshake failed…), with a reason.</summary>
    public Action<SipRequest, string>? SendFailed { get; set; }

    public string Protocol => Name(Default);

    /// <summary>Where our requests say we are by default: the TLS listener for a TLS default, else UDP/TCP.</summary>
    public IPEndPoint LocalEndPoint => Default == SipTransportKind.Tls && Tls.LocalEndPoint is { } t ? t : Udp.LocalEndPoint;

    public void Start(Action<SipMessage, IPEndPoint> onMessage)
    {
        Udp.Start(onMessage);
        Tcp.Start(onMessage);
        Tls.Start(onMessage);
    }

    public void Send(SipMessage message, IPEndPoint destination)
    {
        if (message is SipResponse response)
        {
            if (response.Connection is { IsOpen: true } c)
            {
                StreamFor(c).SendOn(c, response, null);
            }
            else
            {
                Udp.Send(response, destination);
            }

            return;
        }

        var request = (SipRequest)message;
        var decision = Choose(request);
        Prepare(request, decision.Kind);
        switch (decision.Kind)
        {
            case SipTransportKind.Udp:
                Udp.Send(request, destination);
                break;
            default:
                var stream = decision.Kind == SipTransportKind.Tls ? Tls : Tcp;
                stream.Send(request, destination, decision.Host, why => OnSendFailed(request, destination, decision, why));
                break;
        }
    }

    public void SendDatagram(byte[] datagram, IPEndPoint destination) => Udp.SendDatagram(datagram, destination);

    public void SendResponse(SipResponse response)
    {
        var connection = response.Connection;
        if (connection is null)
        {
            Udp.SendResponse(response); // the request came over UDP, whatever its Via says
            return;
        }

        var stream = StreamFor(connection);
        if (response.StatusCode is > 100 and < 300)
        {
            SipUri? to = null;
            try
            {
                to = response.To.Uri;
            }
            catch (SipParseException)
            {
            }

            PrepareContact(response, stream.IsTls ? SipTransportKind.Tls : SipTransportKind.Tcp, to is { IsSecure: true });
        }

        if (connection.IsOpen)
        {
            stream.SendOn(connection, response, null);
            return;
        }

        // §18.2.2: the connection is gone; open one to received (or sent-by) and the sent-by port.
        SipVia? via;
        try
        {
            via = response.TopVia;
        }
        catch (SipParseException)
        {
            via = null;
        }

        var host = via is null ? null : via.Received ?? via.Host;
        if (host is null || !IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            _log.LogWarning("Dropping {Status} response: its connection closed and the top Via has no usable address", response.StatusCode);
            return;
        }

        var port = via!.Port ?? (stream.IsTls ? 5061 : 5060); // rport named the closed connection's source port
        stream.Send(response, new IPEndPoint(address, port), via.Host.Trim('[', ']'), null);
    }

    private StreamSipTransport StreamFor(SipStreamConnection c) => c.Protocol == "TLS" ? Tls : Tcp;

    private void OnSendFailed(SipRequest request, IPEndPoint destination, Decision decision, string why)
    {
        if (decision.ForSize && decision.Kind == SipTransportKind.Tcp)
        {
            // §18.1.1: the request would have gone over UDP; retry it there (on a copy: the original belongs to the work queue).
            _log.LogInformation("TCP to {Remote} failed ({Error}); sending the {Method} over UDP", destination, why, request.Method);
            decision.Kind = SipTransportKind.Udp;
            var copy = SipParser.Parse(SipWriter.Write(request), out _) as SipRequest;
            if (copy is not null)
            {
                Prepare(copy, SipTransportKind.Udp);
                Udp.Send(copy, destination);
            }

            return;
        }

        _log.LogWarning("{Method} to {Remote} not sent: {Error}", request.Method, destination, why);
        SendFailed?.Invoke(request, why);
    }

    /// <summary>The transport for a request: a retransmission keeps its first choice.</summary>
    private Decision Choose(SipRequest request)
    {
        if (_decisions.TryGetValue(request, out var known))
        {
            return known;
        }

        var decision = new Decision();
        SipUri? next = request.Uri;
        try
        {
            var routes = request.Routes;
            if (routes.Count > 0 && routes[0].Uri is { } r)
            {
                next = r;
            }
        }
        catch (SipParseException)
        {
        }

        decision.Host = next?.GetParameter("maddr") ?? next?.Host.Trim('[', ']');
        var viaKind = request.TopVia is { } via ? KindOf(via.Transport) : null;
        var param = next?.GetParameter("transport")?.ToLowerInvariant();
        if (viaKind is { } v && v != Default)
        {
            decision.Kind = v; // a CANCEL or ACK that copied the Via of a request already sent
        }
        else if (next is { IsSecure: true } || param == "tls")
        {
            decision.Kind = SipTransportKind.Tls;
        }
        else if (param == "tcp")
        {
            decision.Kind = SipTransportKind.Tcp;
        }
        else if (param == "udp")
        {
            decision.Kind = SipTransportKind.Udp;
        }
        else if (Default == SipTransportKind.Udp && SipWriter.Write(request).Length > UdpSizeLimit)
        {
            decision.Kind = SipTransportKind.Tcp;
            decision.ForSize = true;
        }
        else
        {
            decision.Kind = Default;
        }

        _decisions.AddOrUpdate(request, decision);
        return decision;
    }

    /// <summary>Makes the top Via and our Contact say the transport the request goes over.</summary>
    private void Prepare(SipRequest request, SipTransportKind kind)
    {
        var port = LocalPort(kind);
        var name = Name(kind);
        if (request.TopVia is { } via)
        {
            var wantAlias = kind != SipTransportKind.Udp;
            if (via.Transport != name || via.Port != port || via.Parameters.Contains("alias") != wantAlias)
            {
                var copy = new SipVia(name, via.Host, port, null) { Protocol = via.Protocol };
                foreach (var p in via.Parameters.Items)
                {
                    copy.Parameters.Set(p.Key, p.Value);
                }

                if (wantAlias)
                {
                    copy.Parameters.Set("alias", null);
                }
                else
                {
                    copy.Parameters.Remove("alias");
                }

                request.ReplaceTopVia(copy);
            }
        }

        PrepareContact(request, kind, request.Uri is { IsSecure: true });
    }

    /// <summary>Our Contact (one whose port is ours) gets the port and <c>;transport=</c> (or sips:) of the transport used.</summary>
    private void PrepareContact(SipMessage message, SipTransportKind kind, bool secureTarget)
    {
        var port = LocalPort(kind);
        SipNameAddr contact;
        try
        {
            if (message.Contacts.Count != 1 || message.Contacts[0].Uri is not { } uri)
            {
                return;
            }

            contact = message.Contacts[0];
        }
        catch (SipParseException)
        {
            return;
        }

        var current = contact.Uri!;
        if (current.Port != Udp.LocalEndPoint.Port && current.Port != Tls.LocalEndPoint?.Port)
        {
            return; // not ours
        }

        var transport = kind switch { SipTransportKind.Tcp => "tcp", SipTransportKind.Tls => "tls", _ => null };
        var scheme = kind == SipTransportKind.Tls && secureTarget ? "sips" : current.Scheme;
        transport = scheme == "sips" ? null : transport;
        if (current.Port == port && current.GetParameter("transport") == transport && current.Scheme == scheme &&
            current.HasParameter("transport") == (transport is not null))
        {
            return;
        }

        var updated = SipUri.Create(current.User, current.Host, port, scheme);
        foreach (var p in current.Parameters)
        {
            if (!string.Equals(p.Key, "transport", StringComparison.OrdinalIgnoreCase))
            {
                updated = updated.WithParameter(p.Key, p.Value);
            }
        }

        if (transport is not null)
        {
            updated = updated.WithParameter("transport", transport);
        }

        message.SetHeader(SipHeaderNames.Contact, new SipNameAddr(updated, contact.DisplayName, contact.Parameters).ToString());
    }

    private int LocalPort(SipTransportKind kind) =>
        kind == SipTransportKind.Tls && Tls.LocalEndPoint is { } t ? t.Port : Udp.LocalEndPoint.Port;

    public static string Name(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        _ => "UDP",
    };

    private static SipTransportKind? KindOf(string transport) => transport.ToUpperInvariant() switch
    {
        "UDP" => SipTransportKind.Udp,
        "TCP" => SipTransportKind.Tcp,
        "TLS" => SipTransportKind.Tls,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await Udp.DisposeAsync().ConfigureAwait(false);
        await Tcp.DisposeAsync().ConfigureAwait(false);
        await Tls.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Decision
    {
        public SipTransportKind Kind { get; set; }

        public bool ForSize { get; set; }

        public string? Host { get; set; }
    }
}
