using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Messages;

public sealed class SipMultipartTests
{
    [Fact]
    public void Mpart01_body_splits_into_its_two_parts()
    {
        var m = SipParser.Parse(TestData.Rfc4475("mpart01"), out var error)!;
        Assert.Null(error);
        var boundary = SipMultipart.Boundary(m.GetHeader("Content-Type")!);
        Assert.Equal("7a9cbec02ceef655", boundary);
        Assert.True(SipMultipart.TrySplit(m.Body, boundary!, out var parts));
        Assert.Equal(["text/plain", "application/octet-stream"], parts.Select(p => p.ContentType));
        Assert.Equal("Hello", Encoding.ASCII.GetString(parts[0].Content));
        Assert.Null(SipMultipart.FindPart(m.Body, m.GetHeader("Content-Type")!, "application/sdp"));
    }

    [Fact]
    public void Sdp_part_is_found_in_a_multipart_body()
    {
        var body = "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\n--b1\r\nContent-Type: application/isup\r\n\r\nxx\r\n--b1--\r\n";
        var sdp = SipMultipart.FindPart(Encoding.ASCII.GetBytes(body), "multipart/mixed; boundary=\"b1\"", "application/sdp");
        Assert.Equal("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n", Encoding.ASCII.GetString(sdp!));
    }
}
