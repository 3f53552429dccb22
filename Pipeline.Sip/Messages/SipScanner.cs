using System.Buffers;

namespace Pipeline.Sip.Messages;

/// <summary>A cursor over one unfolded header value with the small lexical helpers of RFC 3261 §25.</summary>
internal ref struct SipScanner
{
    private readonly ReadOnlySpan<char> _text;
    private readonly string _header;

    public SipScanner(ReadOnlySpan<char> text, string header)
    {
        _text = text;
        _header = header;
        Position = 0;
    }

    public int Position;

    public readonly bool AtEnd => Position >= _text.Length;
    public readonly char Peek => Position < _text.Length ? _text[Position] : '\0';
    public readonly ReadOnlySpan<char> Rest => _text[Position..];

    public readonly SipParseException Error(string reason) => new(_header, reason);

    public void SkipLws()
    {
        if (Position < _text.Length && _text[Position] is not (' ' or '\t' or '\r' or '\n'))
        {
            return;
        }

        var n = _text[Position..].IndexOfAnyExcept(" \t\r\n");
        Position = n < 0 ? _text.Length : Position + n;
    }

    public bool TryChar(char c)
    {
        SkipLws();
        if (Peek == c)
        {
            Position++;
            return true;
        }

        return false;
    }

    public void Expect(char c, string what)
    {
        if (!TryChar(c))
        {
            throw Error(AtEnd ? $"expected {what} but the value ended" : $"expected {what} at '{Rest.ToString()}'");
        }
    }

    /// <summary>RFC 3261 token characters.</summary>
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");

    /// <summary>What a generic-param value may hold unquoted: token characters and a host's ':' '[' ']'.</summary>
    private static readonly SearchValues<char> ParamValueChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~:[]");

    public static bool IsTokenChar(char c) => TokenChars.Contains(c);

    public string ReadToken(string what) => ReadTokenSpan(what).ToString();

    /// <summary>As <see cref="ReadToken"/>, without allocating.</summary>
    public ReadOnlySpan<char> ReadTokenSpan(string what)
    {
        SkipLws();
        var start = Position;
        var n = _text[Position..].IndexOfAnyExcept(TokenChars);
        Position = n < 0 ? _text.Length : Position + n;
        if (Position == start)
        {
            throw Error(AtEnd ? $"missing {what}" : $"invalid character '{Peek}' where {what} was expected");
        }

        return _text[start..Position];
    }

    /// <summary>Reads a quoted-string and returns it with its quotes and escapes intact.</summary>
    public string ReadQuoted() => ReadQuotedSpan().ToString();

    /// <summary>As <see cref="ReadQuoted"/>, without allocating.</summary>
    public ReadOnlySpan<char> ReadQuotedSpan()
    {
        SkipLws();
        var start = Position;
        if (Peek != '"')
        {
            throw Error("expected a quoted string");
        }

        Position++;
        while (Position < _text.Length)
        {
            var c = _text[Position];
            if (c == '\\')
            {
                Position += 2;
                continue;
            }

            Position++;
            if (c == '"')
            {
                return _text[start..Position];
            }
        }

        throw Error("unterminated quoted string");
    }

    /// <summary>Reads a generic-param value: token, quoted string or host (incl. IPv6 reference).</summary>
    public string ReadParamValue(string what) => ReadParamValueSpan(what).ToString();

    /// <summary>As <see cref="ReadParamValue"/>, without allocating.</summary>
    public ReadOnlySpan<char> ReadParamValueSpan(string what)
    {
        SkipLws();
        if (Peek == '"')
        {
            return ReadQuotedSpan();
        }

        var start = Position;
        var n = _text[Position..].IndexOfAnyExcept(ParamValueChars);
        Position = n < 0 ? _text.Length : Position + n;

        if (Position == start)
        {
            throw Error($"missing value of {what}");
        }

        return _text[start..Position];
    }

    /// <summary>Reads <c>*( SEMI generic-param )</c> into <paramref name="into"/>.</summary>
    public void ReadParameters(SipParameters into)
    {
        while (TryChar(';'))
        {
            var name = InternParameterName(ReadTokenSpan("parameter name"));
            string? value = null;
            if (TryChar('='))
            {
                value = ReadParamValue($"parameter '{name}'");
            }

            into.Set(name, value);
        }
    }

    /// <summary>The shared string of a common parameter name spelled exactly so (the spelling is kept as received), else a new one.</summary>
    internal static string InternParameterName(ReadOnlySpan<char> name) => name switch
    {
        "branch" => "branch",
        "rport" => "rport",
        "received" => "received",
        "maddr" => "maddr",
        "ttl" => "ttl",
        "tag" => "tag",
        "lr" => "lr",
        "transport" => "transport",
        "user" => "user",
        "expires" => "expires",
        "q" => "q",
        "alias" => "alias",
        _ => name.ToString(),
    };

    /// <summary>Checks <c>*( SEMI generic-param )</c> without building anything.</summary>
    public void SkipParameters()
    {
        while (TryChar(';'))
        {
            var name = ReadTokenSpan("parameter name");
            if (TryChar('='))
            {
                SkipLws();
                if (Peek != '"' && !(IsTokenChar(Peek) || Peek is ':' or '[' or ']'))
                {
                    throw Error($"missing value of parameter '{name.ToString()}'");
                }

                ReadParamValueSpan("parameter");
            }
        }
    }
}
