namespace Pipeline.Sip.Auth;

/// <summary>Settings of a <see cref="DigestVerifier"/>.</summary>
public sealed class DigestVerifierOptions
{
    /// <summary>How long an issued nonce is accepted; after that a correct answer gets a new challenge with
    /// stale=true. Default 5 minutes.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithms offered, one challenge each, most preferred first. Default MD5 only.</summary>
    public IReadOnlyList<DigestAlgorithm> Algorithms { get; set; } = [DigestAlgorithm.Md5];

    /// <summary>Key for the nonce HMAC (at least 16 bytes). Default: random per verifier, so nonces do not
    /// survive a restart. Share a key between instances that must accept each other's nonces.</summary>
    public byte[]? NonceKey { get; set; }

    /// <summary>Accept answers without qop (RFC 2069 clients), which have no replay protection. Default false.</summary>
    public bool AllowMissingQop { get; set; }

    /// <summary>Nonces whose nc is tracked for replay detection at once; beyond that new nonces are answered
    /// with a stale challenge until old ones expire. Default 10000.</summary>
    public int MaxTrackedNonces { get; set; } = 10_000;

    /// <summary>Clock for nonce timestamps; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
