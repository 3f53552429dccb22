namespace Pipeline.Sip.Auth;

/// <summary>Result of checking one Authorization / Proxy-Authorization header.</summary>
public sealed class DigestVerificationResult
{
    internal DigestVerificationResult(DigestVerificationStatus status, string reason, string? username, IReadOnlyList<DigestChallenge> challenges)
    {
        Status = status;
        Reason = reason;
        Username = username;
        Challenges = challenges;
    }

    /// <summary>What was found.</summary>
    public DigestVerificationStatus Status { get; }

    /// <summary>True when the request is authenticated.</summary>
    public bool IsAuthenticated => Status == DigestVerificationStatus.Authenticated;

    /// <summary>A short reason, suitable for a log line (never contains the password).</summary>
    public string Reason { get; }

    /// <summary>The user name the client sent, when it could be read.</summary>
    public string? Username { get; }

    /// <summary>The challenge to send in the 401/407 when not authenticated (stale=true after an expired nonce or a
    /// replayed nc with a correct response); null when authenticated.</summary>
    public DigestChallenge? Challenge => Challenges.Count > 0 ? Challenges[0] : null;

    /// <summary>Every challenge to send (one header each, one per offered algorithm); empty when authenticated.</summary>
    public IReadOnlyList<DigestChallenge> Challenges { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Status}: {Reason}";
}
