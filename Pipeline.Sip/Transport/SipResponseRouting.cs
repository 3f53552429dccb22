using System.Net;
using System.Net.Sockets;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transport;

/// <summary>Server transport rules for UDP: stamping received/rport on requests (§18.2.1, RFC 3581) and where responses go (§18.2.2).</summary>
internal static class SipResponseRouting
{
    /// <summary>Adds received (when the sent-by differs from the source) and fills a valueless rport.</summary>
    public static void StampTopVia(SipMessage request, IPEndPoint source)
    {
        var via = request.TopVia;
        if (via is null)
        {
            return;
        }

        var changed = false;
        var copy = via.Clone();
        var sentByAddress = IPAddress.TryParse(via.Host.Trim('[', ']'), out var a) ? a : null;
        var sourceAddress = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        if (sentByAddress is null || !sentByAddress.Equals(sourceAddress) || via.HasRport)
        {
            copy.Parameters.Set("received", sourceAddress.ToString());
            changed = true;
        }

        if (via.HasRport && via.Rport is null)
        {
            copy.Parameters.Set("rport", SipMessageFactory.Format(source.Port));
            changed = true;
        }

        if (changed)
        {
            request.ReplaceTopVia(copy);
        }
    }

    /// <summary>Where to send a response over UDP, or null when the Via gives no usable unicast address.</summary>
    public static IPEndPoint? Destination(SipResponse response)
    {
        SipVia? via;
        try
        {
            via = response.TopVia;
        }
        catch (SipParseException)
        {
            return null;
        }

        if (via is null)
        {
            return null;
        }

        var hostText = via.Maddr ?? via.Received ?? via.Host;
        if (!IPAddress.TryParse(hostText.Trim('[', ']'), out var address) || IsBroadcast(address))
        {
            return null;
        }

        var port = via.Rport ?? via.Port ?? 5060;
        return new IPEndPoint(address, port);
    }

    private static bool IsBroadcast(IPAddress a)
    {
        if (a.AddressFamily != AddressFamily.InterNetwork)
        {
            return a.IsIPv6Multicast;
        }

        Span<byte> b = stackalloc byte[4];
        a.TryWriteBytes(b, out _);
        return b[3] == 255 || b[0] >= 224 || a.Equals(IPAddress.Any);
    }
}
