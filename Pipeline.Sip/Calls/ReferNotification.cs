namespace Pipeline.Sip.Calls;

/// <summary>
/// One NOTIFY of the implicit subscription a REFER created (RFC 3515 §2.4.4): the progress of the referred request as
/// the status line of its message/sipfrag body (RFC 3420), e.g. "SIP/2.0 180 Ringing", and the subscription state.
/// </summary>
public sealed class ReferNotification
{
    internal ReferNotification(uint? referCSeq, string subscriptionState, string? terminationReason, int? statusCode, string? reasonPhrase, string fragment)
    {
        ReferCSeq = referCSeq;
        SubscriptionState = subscriptionState;
        TerminationReason = terminationReason;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Fragment = fragment;
    }

    /// <summary>The CSeq number of the REFER this reports on (the Event header's id parameter), or null when the peer gave none.</summary>
    public uint? ReferCSeq { get; }

    /// <summary>The Subscription-State value without parameters: "active", "pending" or "terminated".</summary>
    public string SubscriptionState { get; }

    /// <summary>The reason parameter of a terminated subscription (e.g. "noresource"), or null.</summary>
    public string? TerminationReason { get; }

    /// <summary>The status code of the sipfrag's status line (100 Trying … 200 OK … 603), or null when the body had none.</summary>
    public int? StatusCode { get; }

    /// <summary>The reason phrase of the sipfrag's status line, or null.</summary>
    public string? ReasonPhrase { get; }

    /// <summary>The whole message/sipfrag body as text.</summary>
    public string Fragment { get; }

    /// <summary>True when the referred request has its final answer (status ≥ 200) or the subscription ended.</summary>
    public bool IsFinal => StatusCode >= 200 || string.Equals(SubscriptionState, "terminated", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the referred request succeeded (a 2xx in the sipfrag).</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <inheritdoc />
    public override string ToString() => $"refer {StatusCode} {ReasonPhrase} ({SubscriptionState})";
}
