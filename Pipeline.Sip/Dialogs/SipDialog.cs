using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Dialogs;

/// <summary>
/// A dialog (RFC 3261 §12): id (Call-ID, local tag, remote tag), state, CSeq counters, remote target and route set,
/// and the construction of in-dialog requests (§12.2.1.1).
/// </summary>
internal sealed class SipDialog
{
    private SipDialog(string callId, string localTag, string remoteTag, SipNameAddr local, SipNameAddr remote, SipUri remoteTarget, List<string> routeSet, uint localSeq, uint? remoteSeq)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        Local = local;
        Remote = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        LocalSeq = localSeq;
        RemoteSeq = remoteSeq;
    }

    public string CallId { get; }

    public string LocalTag { get; }

    public string RemoteTag { get; }

    public string Id => Key(CallId, LocalTag, RemoteTag);

    public SipDialogState State { get; set; } = SipDialogState.Early;

    /// <summary>Our From (with our tag) in requests we send.</summary>
    public SipNameAddr Local { get; }

    /// <summary>The peer's address (with its tag): To in requests we send.</summary>
    public SipNameAddr Remote { get; }

    public SipUri RemoteTarget { get; private set; }

    /// <summary>Route set as raw name-addr values, in the order to put in Route.</summary>
    public IReadOnlyList<string> RouteSet { get; private set; }

    public uint LocalSeq { get; private set; }

    /// <summary>Records a CSeq we used outside <see cref="CreateRequest"/> (an authenticated resend), so later requests go above it.</summary>
    public void AdvanceLocalSeq(uint used)
    {
        if (used > LocalSeq) LocalSeq = used;
    }

    /// <summary>Takes the next local CSeq number (for a resend built outside <see cref="CreateRequest"/>).</summary>
    public uint NextLocalSeq() => ++LocalSeq;

    public uint? RemoteSeq { get; private set; }

    public static string Key(string callId, string localTag, string remoteTag) => callId + "|" + localTag + "|" + remoteTag;

    /// <summary>§12.1.1: the UAS side, from the request and the tag we put in our response.</summary>
    public static SipDialog CreateUas(SipRequest request, string localTag)
    {
        var target = request.Contacts.Count > 0 && request.Contacts[0].Uri is { } c ? c : request.From.Uri ?? throw new InvalidOperationException("no usable Contact");
        var routes = request.GetValues(SipHeaderNames.RecordRoute);
        return new SipDialog(request.CallId, localTag, request.From.Tag ?? "", request.To.WithTag(localTag), request.From, target, routes, (uint)Random.Shared.Next(1, 10000), request.CSeq.Number);
    }

    /// <summary>§12.1.2: the UAC side, from our request and a response with a To tag.</summary>
    public static SipDialog CreateUac(SipRequest request, SipResponse response)
    {
        var target = response.Contacts.Count > 0 && response.Contacts[0].Uri is { } c ? c : request.Uri!;
        var routes = response.GetValues(SipHeaderNames.RecordRoute);
        routes.Reverse();
        return new SipDialog(request.CallId, request.From.Tag ?? "", response.To.Tag ?? "", request.From, response.To, target, routes, request.CSeq.Number, null);
    }

    /// <summary>§13.2.2.4 (UAC): the 2xx that confirms an early dialog sets its route set (Record-Route reversed) and remote target.</summary>
    public void ConfirmFrom(SipResponse response)
    {
        var routes = response.GetValues(SipHeaderNames.RecordRoute);
        routes.Reverse();
        RouteSet = routes;
        RefreshTarget(response);
        State = SipDialogState.Confirmed;
    }

    /// <summary>Updates the remote target from a target refresh (re-INVITE or its 2xx).</summary>
    public void RefreshTarget(SipMessage message)
    {
        if (message.Contacts.Count > 0 && message.Contacts[0].Uri is { } c)
        {
            RemoteTarget = c;
        }
    }

    /// <summary>§12.2.2: false when the request's CSeq is lower than or equal to the last one (answer 500).</summary>
    public bool AcceptRemoteSeq(uint cseq)
    {
        if (RemoteSeq is { } last && cseq <= last)
        {
            return false;
        }

        RemoteSeq = cseq;
        return true;
    }

    /// <summary>Builds an in-dialog request; CSeq grows except for ACK (which reuses the INVITE's number: pass it).</summary>
    public SipRequest CreateRequest(string method, uint? cseq = null)
    {
        var number = cseq ?? ++LocalSeq;
        SipRequest request;
        var routes = new List<string>(RouteSet);
        if (routes.Count > 0 && SipNameAddr.Parse(routes[0], SipHeaderNames.Route).Uri is { } first && !first.HasParameter("lr"))
        {
            // Strict routing (§12.2.1.1): first route becomes the Request-URI, remote target goes last.
            request = new SipRequest(method, first.WithoutHeaders());
            routes.RemoveAt(0);
            routes.Add("<" + RemoteTarget + ">");
        }
        else
        {
            request = new SipRequest(method, RemoteTarget.WithoutHeaders());
        }

        foreach (var r in routes)
        {
            request.AddHeader(SipHeaderNames.Route, r);
        }

        request.AddHeader(SipHeaderNames.MaxForwards, "70");
        request.AddHeader(SipHeaderNames.From, Local.ToString());
        request.AddHeader(SipHeaderNames.To, Remote.ToString());
        request.AddHeader(SipHeaderNames.CallId, CallId);
        request.AddHeader(SipHeaderNames.CSeq, new SipCSeq(number, method).ToString());
        return request;
    }

    /// <summary>The next hop for in-dialog requests: first route, else the remote target (IP hosts; names resolved by DNS).</summary>
    public IPEndPoint? NextHop()
    {
        var uri = RouteSet.Count > 0 ? SipNameAddr.Parse(RouteSet[0], SipHeaderNames.Route).Uri ?? RemoteTarget : RemoteTarget;
        return Resolve(uri);
    }

    public static IPEndPoint? Resolve(SipUri uri)
    {
        var host = uri.GetParameter("maddr") ?? uri.Host;
        var port = uri.Port ?? (uri.IsSecure ? 5061 : 5060);
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            return new IPEndPoint(ip, port);
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.Length > 0 ? new IPEndPoint(addresses[0], port) : null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}
