using System.Globalization;

namespace Pipeline.Sip.Messages;

/// <summary>The CSeq header: sequence number and method.</summary>
internal readonly record struct SipCSeq(uint Number, string Method)
{
    public static SipCSeq Parse(string value)
    {
        var n = Validate(value, out var method);
        return new SipCSeq(n, SipRequest.InternMethod(method) ?? method.ToString());
    }

    /// <summary>Checks a CSeq value without allocating; returns the number and the method; throws <see cref="SipParseException"/>.</summary>
    internal static uint Validate(ReadOnlySpan<char> value, out ReadOnlySpan<char> method)
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

        if (!uint.TryParse(value[start..s.Position], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue)
        {
            throw s.Error("sequence number larger than 2**31-1");
        }

        method = s.ReadTokenSpan("method");
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }

        return n;
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}
