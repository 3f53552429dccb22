using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>
/// Writes a message to bytes: start line, headers in order, Content-Length set to the body length, body.
/// Lines of a parsed message that were not changed are copied from the received bytes (folded values are written
/// unfolded); nothing is built as an intermediate string.
/// </summary>
internal static class SipWriter
{
    private static ReadOnlySpan<byte> ContentLengthPrefix => "Content-Length: "u8;

    /// <summary>The message as a new array of exactly its length.</summary>
    public static byte[] Write(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = new byte[Measure(message)];
        var n = WriteTo(message, bytes);
        return n == bytes.Length ? bytes : throw new InvalidOperationException($"SipWriter measured {bytes.Length} bytes but wrote {n}");
    }

    /// <summary>Writes the message into <paramref name="output"/>; returns the number of bytes written.</summary>
    public static int Write(SipMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(Measure(message));
        var n = WriteTo(message, span);
        output.Advance(n);
        return n;
    }

    /// <summary>The number of bytes <see cref="WriteTo"/> needs .</summary>
    public static int Measure(SipMessage message)
    {
        var n = message switch
        {
            SipRequest r => Length(r.Method) + 1 + (r.RawRequestUri.Length > 0 ? r.RawRequestUri.Length : Length(r.RequestUriText)) + 1 + Length(r.Version) + 2,
            SipResponse r => Length(r.Version) + 5 + (r.RawReasonPhrase.Length > 0 ? r.RawReasonPhrase.Length : Length(r.ReasonPhrase)) + 2,
            _ => 0,
        };
        for (var i = 0; i < message.HeaderCount; i++)
        {
            if (message.IdAt(i) == SipHeaderId.ContentLength)
            {
                continue;
            }

            var rawName = message.NameBytesAt(i);
            n += rawName.Length > 0 ? rawName.Length : Length(message.NameAt(i));
            n += 2 + (message.TryGetRawValue(i, out var raw) ? raw.Length : Length(message.ValueAt(i))) + 2;
        }

        var bodyLength = message.BodyMemory.Length;
        return n + ContentLengthPrefix.Length + Digits(bodyLength) + 4 + bodyLength;
    }

    /// <summary>Writes the message into <paramref name="destination"/>, which must hold <see cref="Measure"/> bytes; returns the bytes written.</summary>
    public static int WriteTo(SipMessage message, Span<byte> destination)
    {
        var w = 0;
        switch (message)
        {
            case SipRequest r:
                w += Put(r.Method, destination[w..]);
                destination[w++] = (byte)' ';
                w += r.RawRequestUri.Length > 0 ? Put(r.RawRequestUri, destination[w..]) : Put(r.RequestUriText, destination[w..]);
                destination[w++] = (byte)' ';
                w += Put(r.Version, destination[w..]);
                break;
            case SipResponse r:
                w += Put(r.Version, destination[w..]);
                destination[w++] = (byte)' ';
                Utf8Formatter.TryFormat(r.StatusCode, destination[w..], out var digits);
                w += digits;
                destination[w++] = (byte)' ';
                w += r.RawReasonPhrase.Length > 0 ? Put(r.RawReasonPhrase, destination[w..]) : Put(r.ReasonPhrase, destination[w..]);
                break;
        }

        w += Put("\r\n"u8, destination[w..]);
        for (var i = 0; i < message.HeaderCount; i++)
        {
            if (message.IdAt(i) == SipHeaderId.ContentLength)
            {
                continue;
            }

            var rawName = message.NameBytesAt(i);
            w += rawName.Length > 0 ? Put(rawName, destination[w..]) : Put(message.NameAt(i), destination[w..]);
            w += Put(": "u8, destination[w..]);
            w += message.TryGetRawValue(i, out var raw) ? Put(raw, destination[w..]) : Put(message.ValueAt(i), destination[w..]);
            w += Put("\r\n"u8, destination[w..]);
        }

        var body = message.BodyMemory.Span;
        w += Put(ContentLengthPrefix, destination[w..]);
        Utf8Formatter.TryFormat(body.Length, destination[w..], out var lengthDigits);
        w += lengthDigits;
        w += Put("\r\n\r\n"u8, destination[w..]);
        w += Put(body, destination[w..]);
        return w;
    }

    private static int Digits(int n)
    {
        var d = 1;
        while (n >= 10)
        {
            n /= 10;
            d++;
        }

        return d;
    }

    private static int Length(string s) => Encoding.UTF8.GetByteCount(s);

    private static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static int Put(string s, Span<byte> destination) => Encoding.UTF8.GetBytes(s, destination);
}
