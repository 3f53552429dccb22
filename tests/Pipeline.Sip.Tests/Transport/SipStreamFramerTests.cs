using System.Buffers;
using System.Text;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.Transport;

public sealed class SipStreamFramerTests
{
    private const string Body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n";

    private static string Message(string callId, string body = "", string? contentLength = null) =>
        $"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK{callId}\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\n" +
        (contentLength is null ? "" : $"Content-Length: {contentLength}\r\n") + "\r\n" + body;

    private static string Message(string callId, string body) => Message(callId, body, Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A sequence made of several segments, cut at <paramref name="cuts"/>.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] data, params int[] cuts)
    {
        var first = new Segment(data.AsMemory(0, cuts.Length > 0 ? cuts[0] : data.Length), 0);
        var last = first;
        for (var i = 0; i < cuts.Length; i++)
        {
            var end = i + 1 < cuts.Length ? cuts[i + 1] : data.Length;
            last = last.Append(data.AsMemory(cuts[i], end - cuts[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static List<string> ReadAll(ref ReadOnlySequence<byte> buffer, out SipFrameStatus lastStatus)
    {
        var list = new List<string>();
        while (true)
        {
            lastStatus = SipStreamFramer.TryRead(ref buffer, 65535, out var message);
            if (lastStatus != SipFrameStatus.Message)
            {
                return list;
            }

            list.Add(Encoding.UTF8.GetString(message.ToArray()));
        }
    }

    [Fact]
    public void Several_messages_in_one_buffer_come_out_one_by_one()
    {
        var text = Message("a", "") + Message("b", Body) + Message("c", "");
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        var messages = ReadAll(ref buffer, out var status);
        Assert.Equal([Message("a", ""), Message("b", Body), Message("c", "")], messages);
        Assert.Equal(SipFrameStatus.NeedMore, status);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Message_split_across_segments_inside_the_header_terminator_is_framed_whole()
    {
        var text = Message("a", Body);
        var bytes = Encoding.UTF8.GetBytes(text);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var buffer = Segmented(bytes, 10, headerEnd + 1, headerEnd + 3, bytes.Length - 5);
        Assert.Equal(SipFrameStatus.Message, SipStreamFramer.TryRead(ref buffer, 65535, out var message));
        Assert.Equal(text, Encoding.UTF8.GetString(message.ToArray()));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Partial_body_waits_for_the_rest()
    {
        var bytes = Encoding.UTF8.GetBytes(Message("a", Body));
        var partial = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 3);
        Assert.Equal(SipFrameStatus.NeedMore, SipStreamFramer.TryRead(ref partial, 65535, out _));
        Assert.Equal(bytes.Length - 3, partial.Length); // nothing consumed
        var headersOnly = new ReadOnlySequence<byte>(bytes, 0, 20);
        Assert.Equal(SipFrameStatus.NeedMore, SipStreamFramer.TryRead(ref headersOnly, 65535, out _));
    }

    [Fact]
    public void Compact_content_length_is_understood()
    {
        var text = Message("a", "").Replace("Content-Length: 0", "l: 5", StringComparison.Ordinal) + "hello" + Message("b", "");
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        var messages = ReadAll(ref buffer, out _);
        Assert.Equal(2, messages.Count);
        Assert.EndsWith("\r\n\r\nhello", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_between_messages_is_skipped_and_double_crlf_is_a_ping()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("\r\n\r\n" + "\r\n" + Message("a", "")));
        Assert.Equal(SipFrameStatus.Ping, SipStreamFramer.TryRead(ref buffer, 65535, out _));
        Assert.Equal(SipFrameStatus.Message, SipStreamFramer.TryRead(ref buffer, 65535, out var m));
        Assert.StartsWith("OPTIONS", Encoding.UTF8.GetString(m.ToArray()), StringComparison.Ordinal);
        var lone = new ReadOnlySequence<byte>("\r\n"u8.ToArray());
        Assert.Equal(SipFrameStatus.NeedMore, SipStreamFramer.TryRead(ref lone, 65535, out _));
    }

    [Fact]
    public void Missing_content_length_is_reported_with_the_header_block()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Message("a", "", contentLength: null)));
        Assert.Equal(SipFrameStatus.MissingContentLength, SipStreamFramer.TryRead(ref buffer, 65535, out var headers));
        Assert.EndsWith("CSeq: 1 OPTIONS\r\n\r\n", Encoding.UTF8.GetString(headers.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    [InlineData("")]
    public void Bad_content_length_is_an_error(string value)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Message("a", "", contentLength: value)));
        Assert.Equal(SipFrameStatus.BadContentLength, SipStreamFramer.TryRead(ref buffer, 65535, out _));
    }

    [Fact]
    public void Two_different_content_lengths_are_an_error()
    {
        var text = Message("a", "", "0").Replace("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Length: 4\r\n", StringComparison.Ordinal);
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        Assert.Equal(SipFrameStatus.BadContentLength, SipStreamFramer.TryRead(ref buffer, 65535, out _));
    }

    [Fact]
    public void Oversize_headers_or_body_are_too_large()
    {
        var endless = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("OPTIONS sip:x SIP/2.0\r\nX: " + new string('a', 2000)));
        Assert.Equal(SipFrameStatus.TooLarge, SipStreamFramer.TryRead(ref endless, 1000, out _));
        var bigBody = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Message("a", "", "5000")));
        Assert.Equal(SipFrameStatus.TooLarge, SipStreamFramer.TryRead(ref bigBody, 1000, out _));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
