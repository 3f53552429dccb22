namespace Pipeline.Sip.Calls;

/// <summary>Why a call ended: a kind, plus the SIP status for <see cref="CallEndKind.Rejected"/> and a text for failures.</summary>
public sealed record CallEndReason(CallEndKind Kind, int? StatusCode = null, string? Text = null)
{
    public static CallEndReason LocalHangup { get; } = new(CallEndKind.LocalHangup);

    public static CallEndReason RemoteHangup { get; } = new(CallEndKind.RemoteHangup);

    public static CallEndReason Cancelled { get; } = new(CallEndKind.Cancelled);

    /// <summary>No answer, no ACK, or no response to BYE in time.</summary>
    public static CallEndReason Timeout(string? text = null) => new(CallEndKind.Timeout, null, text);

    /// <summary>Rejected with a final non-2xx status (by the peer for outgoing calls, by us for incoming ones).</summary>
    public static CallEndReason Rejected(int statusCode, string? reasonPhrase = null) => new(CallEndKind.Rejected, statusCode, reasonPhrase);

    public static CallEndReason Failed(string text) => new(CallEndKind.Failed, null, text);

    public override string ToString() => Kind switch
    {
        CallEndKind.Rejected => $"Rejected({StatusCode} {Text})",
        CallEndKind.Failed or CallEndKind.Timeout when Text is not null => $"{Kind}({Text})",
        _ => Kind.ToString(),
    };
}
