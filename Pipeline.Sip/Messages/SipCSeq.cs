using System.Globalization;

namespace Pipeline.Sip.Messages;

/// <summary>The CSeq header: sequence number and method.</summary>
internal readonly record struct SipCSeq(uint Number, string Method)
{
    public static SipCSeq Parse(string value)
    {
        var s = new SipScanner(value, "CSeq");
        s.SkipLws();
        var start = s.Position;
        while (!s.AtEnd && char.IsAsciiDigit(s.Peek))
        {
            s.Position++;
        }

        if (s.Position == start)
        {
            throw s.Error("missing sequence number");
        }

        if (!uint.TryParse(value.AsSpan(start, s.Position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue)
        {
            throw s.Error("sequence number larger than 2**31-1");
        }

        var method = s.ReadToken("method");
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }

        return new SipCSeq(n, method);
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}
