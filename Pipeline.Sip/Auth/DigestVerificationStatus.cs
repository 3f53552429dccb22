namespace Pipeline.Sip.Auth;

/// <summary>Outcome of <see cref="DigestVerifier.Verify"/>.</summary>
public enum DigestVerificationStatus
{
    /// <summary>The credentials are valid: process the request.</summary>
    Authenticated,
    /// <summary>The request carried no credentials: send the challenge (the normal first 401/407).</summary>
    NoCredentials,
    /// <summary>Unparseable credentials (answer 400, or challenge again).</summary>
    Malformed,
    /// <summary>Credentials for another realm.</summary>
    WrongRealm,
    /// <summary>An algorithm this verifier did not offer.</summary>
    UnsupportedAlgorithm,
    /// <summary>No qop although required, or a qop that was not offered.</summary>
    UnsupportedQop,
    /// <summary>The digest-uri differs from the Request-URI.</summary>
    UriMismatch,
    /// <summary>A nonce this verifier never issued (or issued with another key), or a wrong opaque.</summary>
    InvalidNonce,
    /// <summary>The password lookup knows no such user.</summary>
    UnknownUser,
    /// <summary>The response does not match: wrong password (or tampered request).</summary>
    WrongResponse,
    /// <summary>The response is right but the nonce expired: the new challenge has stale=true.</summary>
    StaleNonce,
    /// <summary>The nc was not greater than the last one seen for this nonce: a replay.</summary>
    Replay,
}
