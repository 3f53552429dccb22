namespace Pipeline.Sip.Messages;

/// <summary>Thrown inside the parser when a header value is malformed; the parser turns it into a <see cref="SipParseError"/>.</summary>
internal sealed class SipParseException(string header, string reason) : Exception($"{(header.Length == 0 ? "start line" : header)}: {reason}")
{
    public string Header { get; } = header;
    public string Reason { get; } = reason;
}

/// <summary>Why a message could not be parsed. <see cref="StatusCode"/> is the answer a UAS should give (400 or 505).</summary>
internal sealed record SipParseError(string Header, string Reason, int StatusCode = 400)
{
    /// <summary>A reason phrase for the error response, naming the header and the problem.</summary>
    public string ReasonPhrase => StatusCode == 505
        ? "Version Not Supported"
        : Header.Length == 0 ? $"Bad Request ({Reason})" : $"Bad {Header} Header ({Reason})";

    public override string ToString() => ReasonPhrase;
}
