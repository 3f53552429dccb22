using System.Buffers;
using System.Buffers.Text;

namespace Pipeline.Sip.Transport;

/// <summary>What <see cref="SipStreamFramer.TryRead"/> found at the start of a stream buffer.</summary>
internal enum SipFrameStatus
{
    /// <summary>Not a whole message yet: read more.</summary>
    NeedMore,

    /// <summary>One whole message (start line, headers, body of Content-Length bytes).</summary>
    Message,

    /// <summary>A CRLFCRLF keep-alive ping (RFC 5626 §3.5.1): answer with one CRLF.</summary>
    Ping,

    /// <summary>The headers end but there is no Content-Length (RFC 3261 §18.3: required on streams): 400 and close.</summary>
    MissingContentLength,

    /// <summary>Content-Length is not a non-negative number, or appears with different values: 400 and close.</summary>
    BadContentLength,

    /// <summary>Headers or the whole message exceed the size limit: close.</summary>
    TooLarge,
}

/// <summary>
/// Splits a SIP byte stream (TCP/TLS) into messages by Content-Length (RFC 3261 §18.3), without copying the
/// common case where the headers sit in one buffer segment. Stray CRLFs between messages are skipped
/// (§7.5 tolerance, RFC 5626 pongs); CRLFCRLF is reported as a ping.
/// </summary>
internal static class SipStreamFramer
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Looks at the start of <paramref name="buffer"/>. On <see cref="SipFrameStatus.Message"/> and
    /// <see cref="SipFrameStatus.Ping"/> the consumed bytes are sliced off <paramref name="buffer"/>; on
    /// <see cref="SipFrameStatus.MissingContentLength"/>/<see cref="SipFrameStatus.BadContentLength"/>
    /// <paramref name="message"/> holds the header block (to build the 400 from).
    /// </summary>
    public static SipFrameStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> message)
    {
        message = default;

        // Leading CRLFs: a ping (CRLFCRLF), or a pong / stray line end to skip.
        while (buffer.Length >= 2 && FirstByte(buffer) == (byte)'\r')
        {
            if (buffer.Length >= 4 && StartsWith(buffer, HeaderEnd))
            {
                buffer = buffer.Slice(4);
                return SipFrameStatus.Ping;
            }

            if (ByteAt(buffer, 1) != (byte)'\n')
            {
                break;
            }

            if (buffer.Length < 4 && (buffer.Length == 2 || ByteAt(buffer, 2) == (byte)'\r'))
            {
                return SipFrameStatus.NeedMore; // could still become a ping
            }

            buffer = buffer.Slice(2);
        }

        while (buffer.Length > 0 && FirstByte(buffer) == (byte)'\n')
        {
            buffer = buffer.Slice(1);
        }

        if (buffer.Length == 0)
        {
            return SipFrameStatus.NeedMore;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
        {
            return buffer.Length > maxMessageSize ? SipFrameStatus.TooLarge : SipFrameStatus.NeedMore;
        }

        var headerBytes = reader.Consumed;
        if (headerBytes > maxMessageSize)
        {
            return SipFrameStatus.TooLarge;
        }

        var status = ContentLength(headers, out var contentLength);
        if (status != SipFrameStatus.Message)
        {
            message = buffer.Slice(0, headerBytes);
            return status;
        }

        var total = headerBytes + contentLength;
        if (total > maxMessageSize)
        {
            return SipFrameStatus.TooLarge;
        }

        if (buffer.Length < total)
        {
            return SipFrameStatus.NeedMore;
        }

        message = buffer.Slice(0, total);
        buffer = buffer.Slice(total);
        return SipFrameStatus.Message;
    }

    /// <summary>Finds Content-Length (or compact "l") in the header block, line by line.</summary>
    private static SipFrameStatus ContentLength(in ReadOnlySequence<byte> headers, out long length)
    {
        length = -1;
        byte[]? rented = null;
        ReadOnlySpan<byte> span;
        if (headers.IsSingleSegment)
        {
            span = headers.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)headers.Length);
            headers.CopyTo(rented);
            span = rented.AsSpan(0, (int)headers.Length);
        }

        try
        {
            var bad = false;
            var first = true;
            while (span.Length > 0)
            {
                var eol = span.IndexOf("\r\n"u8);
                var line = eol < 0 ? span : span[..eol];
                span = eol < 0 ? default : span[(eol + 2)..];
                if (first)
                {
                    first = false; // start line
                    continue;
                }

                var colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].TrimEnd(" \t"u8);
                if (!name.SequenceEqual("l"u8) && !name.SequenceEqual("L"u8) && !System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                {
                    continue;
                }

                var value = line[(colon + 1)..].Trim(" \t"u8);
                if (value.Length == 0 || value.Length > 9 || !Utf8Parser.TryParse(value, out int n, out var used) || used != value.Length || value[0] is (byte)'-' or (byte)'+')
                {
                    bad = true;
                    continue;
                }

                if (length >= 0 && length != n)
                {
                    bad = true;
                }

                length = n;
            }

            if (bad)
            {
                return SipFrameStatus.BadContentLength;
            }

            return length < 0 ? SipFrameStatus.MissingContentLength : SipFrameStatus.Message;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static byte FirstByte(in ReadOnlySequence<byte> b) => b.FirstSpan.Length > 0 ? b.FirstSpan[0] : ByteAt(b, 0);

    private static byte ByteAt(in ReadOnlySequence<byte> b, long index)
    {
        var r = new SequenceReader<byte>(b);
        r.Advance(index);
        return r.TryPeek(out var v) ? v : (byte)0;
    }

    private static bool StartsWith(in ReadOnlySequence<byte> b, ReadOnlySpan<byte> prefix)
    {
        if (b.FirstSpan.Length >= prefix.Length)
        {
            return b.FirstSpan.StartsWith(prefix);
        }

        Span<byte> tmp = stackalloc byte[prefix.Length];
        b.Slice(0, prefix.Length).CopyTo(tmp);
        return tmp.SequenceEqual(prefix);
    }
}
