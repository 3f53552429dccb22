using System.Net;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.Transport;

public sealed class SipResponseRoutingTests
{
    private static SipRequest Request(string via) =>
        (SipRequest)SipParser.Parse(Encoding.ASCII.GetBytes(
            $"OPTIONS sip:b@example.com SIP/2.0\r\nVia: {via}\r\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\nFrom: <sip:a@example.com>;tag=1\r\n" +
            "To: <sip:b@example.com>\r\nCall-ID: r1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"), out _)!;

    [Fact]
    public void Received_is_added_when_sent_by_differs_from_the_source_and_response_goes_there()
    {
        var req = Request("SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1");
        SipResponseRouting.StampTopVia(req, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 6000));

        Assert.Equal("192.0.2.7", req.TopVia!.Received);
        Assert.Equal(2, req.Vias.Count);
        var response = SipMessageFactory.CreateResponse(req, 200);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5070), SipResponseRouting.Destination(response));
    }

    [Fact]
    public void Matching_sent_by_gets_no_received_parameter()
    {
        var req = Request("SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bK1");
        SipResponseRouting.StampTopVia(req, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5070));
        Assert.Null(req.TopVia!.Received);
    }

    [Fact]
    public void Empty_rport_is_filled_with_the_source_port_and_used_for_the_response()
    {
        var req = Request("SIP/2.0/UDP 10.0.0.2:5060;rport;branch=z9hG4bK1");
        SipResponseRouting.StampTopVia(req, new IPEndPoint(IPAddress.Parse("203.0.113.9"), 41234));

        Assert.Equal(41234, req.TopVia!.Rport);
        Assert.Equal("203.0.113.9", req.TopVia.Received);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 41234), SipResponseRouting.Destination(SipMessageFactory.CreateResponse(req, 200)));
    }

    [Theory]
    [InlineData("SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1")]
    [InlineData("SIP/2.0/UDP 192.0.2.255;branch=z9hG4bK1")]
    [InlineData("SIP/2.0/UDP 224.0.1.75;branch=z9hG4bK1")]
    public void Broadcast_and_multicast_sent_by_is_never_a_destination(string via)
    {
        var response = SipMessageFactory.CreateResponse(Request(via), 200);
        Assert.Null(SipResponseRouting.Destination(response));
    }

    [Fact]
    public void Maddr_wins_over_received()
    {
        var req = Request("SIP/2.0/UDP a.example.com;maddr=192.0.2.44;received=192.0.2.1;branch=z9hG4bK1");
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.44"), 5060), SipResponseRouting.Destination(SipMessageFactory.CreateResponse(req, 200)));
    }
}
