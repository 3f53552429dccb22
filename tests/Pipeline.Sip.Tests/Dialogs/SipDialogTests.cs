using System.Net;
using System.Text;
using Pipeline.Sip.Dialogs;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Tests.Dialogs;

public sealed class SipDialogTests
{
    private static SipMessage Parse(string text)
    {
        var m = SipParser.Parse(Encoding.ASCII.GetBytes(text), out var error);
        Assert.Null(error);
        return m!;
    }

    private static SipRequest Invite(string extra = "") => (SipRequest)Parse(
        "INVITE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\nMax-Forwards: 70\r\n" +
        "From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\nTo: <sip:bob@example.com>\r\nCall-ID: dlg-1\r\nCSeq: 10 INVITE\r\n" +
        "Contact: <sip:alice@192.0.2.1:5060>\r\n" + extra + "Content-Length: 0\r\n\r\n");

    [Fact]
    public void Uas_dialog_takes_remote_target_from_contact_and_route_set_from_record_route_in_order()
    {
        var invite = Invite("Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n");
        var d = SipDialog.CreateUas(invite, "bob1");

        Assert.Equal(SipDialog.Key("dlg-1", "bob1", "alice1"), d.Id);
        Assert.Equal("sip:alice@192.0.2.1:5060", d.RemoteTarget.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], d.RouteSet);
        Assert.Equal(10u, d.RemoteSeq);

        var bye = d.CreateRequest("BYE");
        Assert.Equal("sip:alice@192.0.2.1:5060", bye.RequestUriText);
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], bye.GetValues("Route"));
        Assert.Equal("bob1", bye.From.Tag);
        Assert.Equal("alice1", bye.To.Tag);
        Assert.Equal("BYE", bye.CSeq.Method);
        Assert.Equal(d.LocalSeq, bye.CSeq.Number);
    }

    [Fact]
    public void Uac_dialog_reverses_record_route_and_counts_cseq_up_from_the_invite()
    {
        var invite = Invite();
        var ok = (SipResponse)Parse(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\nRecord-Route: <sip:p2.example.com;lr>\r\nRecord-Route: <sip:192.0.2.9:5080;lr>\r\n" +
            "From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\nTo: <sip:bob@example.com>;tag=bob9\r\nCall-ID: dlg-1\r\nCSeq: 10 INVITE\r\n" +
            "Contact: <sip:bob@192.0.2.2:5062>\r\nContent-Length: 0\r\n\r\n");
        var d = SipDialog.CreateUac(invite, ok);

        Assert.Equal(["<sip:192.0.2.9:5080;lr>", "<sip:p2.example.com;lr>"], d.RouteSet);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.9"), 5080), d.NextHop());
        var ack = d.CreateRequest("ACK", 10);
        Assert.Equal(new SipCSeq(10, "ACK"), ack.CSeq);
        var bye = d.CreateRequest("BYE");
        Assert.Equal(11u, bye.CSeq.Number);
        Assert.Equal("sip:bob@192.0.2.2:5062", bye.RequestUriText);
    }

    [Fact]
    public void Strict_route_becomes_the_request_uri_and_remote_target_goes_last()
    {
        var d = SipDialog.CreateUas(Invite("Record-Route: <sip:strict.example.com>\r\n"), "b");
        var bye = d.CreateRequest("BYE");
        Assert.Equal("sip:strict.example.com", bye.RequestUriText);
        Assert.Equal(["<sip:alice@192.0.2.1:5060>"], bye.GetValues("Route"));
    }

    [Fact]
    public void Lower_or_equal_remote_cseq_is_refused()
    {
        var d = SipDialog.CreateUas(Invite(), "b");
        Assert.False(d.AcceptRemoteSeq(10));
        Assert.True(d.AcceptRemoteSeq(11));
        Assert.False(d.AcceptRemoteSeq(11));
    }

    [Fact]
    public void Early_dialog_takes_route_set_and_target_from_the_confirming_2xx()
    {
        var invite = Invite();
        var ringing = (SipResponse)Parse(
            "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\nRecord-Route: <sip:old.example.com;lr>\r\n" +
            "From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\nTo: <sip:bob@example.com>;tag=bob9\r\nCall-ID: dlg-1\r\nCSeq: 10 INVITE\r\n" +
            "Contact: <sip:bob@192.0.2.2:5062>\r\nContent-Length: 0\r\n\r\n");
        var d = SipDialog.CreateUac(invite, ringing);
        Assert.Equal(SipDialogState.Early, d.State);
        Assert.Equal(["<sip:old.example.com;lr>"], d.RouteSet);

        var ok = (SipResponse)Parse(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\nRecord-Route: <sip:p2.example.com;lr>, <sip:192.0.2.9:5080;lr>\r\n" +
            "From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\nTo: <sip:bob@example.com>;tag=bob9\r\nCall-ID: dlg-1\r\nCSeq: 10 INVITE\r\n" +
            "Contact: <sip:bob@192.0.2.3:5064>\r\nContent-Length: 0\r\n\r\n");
        d.ConfirmFrom(ok);
        Assert.Equal(SipDialogState.Confirmed, d.State);
        Assert.Equal(["<sip:192.0.2.9:5080;lr>", "<sip:p2.example.com;lr>"], d.RouteSet);
        Assert.Equal("sip:bob@192.0.2.3:5064", d.RemoteTarget.ToString());
    }

    [Fact]
    public void Target_refresh_replaces_the_remote_target_but_not_the_route_set()
    {
        var d = SipDialog.CreateUas(Invite("Record-Route: <sip:p1.example.com;lr>\r\n"), "b");
        var reinvite = (SipRequest)Parse(
            "INVITE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb\r\nMax-Forwards: 70\r\n" +
            "From: <sip:alice@example.com>;tag=alice1\r\nTo: <sip:bob@example.com>;tag=b\r\nCall-ID: dlg-1\r\nCSeq: 11 INVITE\r\n" +
            "Record-Route: <sip:other.example.com;lr>\r\nContact: <sip:alice@198.51.100.1:5070>\r\nContent-Length: 0\r\n\r\n");
        d.RefreshTarget(reinvite);
        Assert.Equal("sip:alice@198.51.100.1:5070", d.RemoteTarget.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>"], d.RouteSet);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5070), SipDialog.Resolve(d.CreateRequest("BYE").Uri!));
    }
}
