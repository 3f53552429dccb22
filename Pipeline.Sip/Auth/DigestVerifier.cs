using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Pipeline.Sip.Auth;

/// <summary>
/// Server side of digest authentication: issues challenges and checks Authorization / Proxy-Authorization headers
/// against a password lookup. Nonces carry their issue time and an HMAC, so any nonce can be validated without
/// remembering it; only the last nc per nonce is remembered, to refuse replays. Thread-safe.
/// </summary>
/// <remarks>Used by tests as the peer of <see cref="DigestAuthenticator"/>, and for challenging incoming requests.</remarks>
public sealed class DigestVerifier
{
    private const int TimestampBytes = 8, RandomBytes = 8, MacBytes = 16, NonceBytes = TimestampBytes + RandomBytes + MacBytes;

    private readonly DigestVerifierOptions _options;
    private readonly byte[] _key;
    private readonly string _opaque;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (uint LastNc, long IssuedMs)> _seen = new(StringComparer.Ordinal);

    /// <summary>A verifier for one realm.</summary>
    /// <exception cref="ArgumentException">The realm is empty, no algorithm is offered, the key is shorter than
    /// 16 bytes, or the nonce lifetime is not positive.</exception>
    public DigestVerifier(string realm, DigestVerifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        _options = options ?? new DigestVerifierOptions();
        if (_options.Algorithms is null || _options.Algorithms.Count == 0)
        {
            throw new ArgumentException("At least one digest algorithm must be offered.", nameof(options));
        }

        if (_options.NonceLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The nonce lifetime must be positive, got {_options.NonceLifetime}.", nameof(options));
        }

        if (_options.NonceKey is { Length: < 16 })
        {
            throw new ArgumentException($"The nonce key must be at least 16 bytes, got {_options.NonceKey.Length}.", nameof(options));
        }

        if (_options.MaxTrackedNonces < 1)
        {
            throw new ArgumentException("MaxTrackedNonces must be at least 1.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        Realm = realm;
        _key = _options.NonceKey is { } key ? (byte[])key.Clone() : RandomNumberGenerator.GetBytes(32);
        _opaque = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The realm challenged.</summary>
    public string Realm { get; }

    /// <summary>A fresh challenge with the most preferred algorithm.</summary>
    public DigestChallenge CreateChallenge(bool stale = false) => CreateChallenge(_options.Algorithms[0], stale);

    /// <summary>Fresh challenges, one per offered algorithm (each goes in its own WWW-/Proxy-Authenticate header).</summary>
    public IReadOnlyList<DigestChallenge> CreateChallenges(bool stale = false)
    {
        var list = new DigestChallenge[_options.Algorithms.Count];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = CreateChallenge(_options.Algorithms[i], stale);
        }

        return list;
    }

    private DigestChallenge CreateChallenge(DigestAlgorithm algorithm, bool stale) =>
        new(Realm, NewNonce())
        {
            Opaque = _opaque,
            Stale = stale,
            Algorithm = algorithm,
            AlgorithmSpecified = true,
            OffersAuth = true,
        };

    /// <summary>
    /// Checks an Authorization / Proxy-Authorization value.
    /// </summary>
    /// <param name="authorizationHeaderValue">The header value, or null when the request had none
    /// (then the result is <see cref="DigestVerificationStatus.NoCredentials"/> with fresh challenges).</param>
    /// <param name="method">The request method.</param>
    /// <param name="passwordLookup">Returns the password of a user name, or null for an unknown user.</param>
    /// <param name="requestUri">The Request-URI as received; when given, the digest-uri must equal it.</param>
    /// <param name="body">The body, for qop=auth-int.</param>
    public DigestVerificationResult Verify(
        string? authorizationHeaderValue, string method, Func<string, string?> passwordLookup,
        string? requestUri = null, ReadOnlySpan<byte> body = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(passwordLookup);
        if (authorizationHeaderValue is null)
        {
            return Fail(DigestVerificationStatus.NoCredentials, "no credentials", null);
        }

        if (!DigestAuthorization.TryParse(authorizationHeaderValue, out DigestAuthorization? a, out string? error))
        {
            return Fail(DigestVerificationStatus.Malformed, error, null);
        }

        if (!string.Equals(a.Realm, Realm, StringComparison.Ordinal))
        {
            return Fail(DigestVerificationStatus.WrongRealm, $"credentials for realm '{a.Realm}'", a.Username);
        }

        if (!Offers(a.Algorithm))
        {
            return Fail(DigestVerificationStatus.UnsupportedAlgorithm, $"algorithm {DigestHash.AlgorithmToken(a.Algorithm)} not offered", a.Username);
        }

        if (a.Qop == DigestQop.AuthInt || (a.Qop == DigestQop.None && !_options.AllowMissingQop))
        {
            return Fail(DigestVerificationStatus.UnsupportedQop, a.Qop == DigestQop.None ? "qop missing" : "qop auth-int not offered", a.Username);
        }

        if (requestUri is not null && !string.Equals(a.Uri, requestUri, StringComparison.Ordinal))
        {
            return Fail(DigestVerificationStatus.UriMismatch, $"digest uri '{a.Uri}' is not the Request-URI '{requestUri}'", a.Username);
        }

        if (!TryReadNonce(a.Nonce, out long issuedMs))
        {
            return Fail(DigestVerificationStatus.InvalidNonce, "nonce not issued here", a.Username);
        }

        if (a.Opaque is not null && !string.Equals(a.Opaque, _opaque, StringComparison.Ordinal))
        {
            return Fail(DigestVerificationStatus.InvalidNonce, "opaque not issued here", a.Username);
        }

        string? password = passwordLookup(a.Username);
        if (password is null)
        {
            return Fail(DigestVerificationStatus.UnknownUser, $"unknown user '{a.Username}'", a.Username);
        }

        string ha1 = DigestHash.SessionHa1(a.Algorithm, DigestHash.Ha1(a.Algorithm, a.Username, Realm, password), a.Nonce, a.Cnonce ?? "");
        string expected = DigestHash.Response(a.Algorithm, ha1, a.Nonce, a.Qop, a.NonceCountText, a.Cnonce, method, a.Uri, body);
        if (!DigestHash.HexEquals(expected, a.Response))
        {
            return Fail(DigestVerificationStatus.WrongResponse, "wrong response (password)", a.Username);
        }

        long nowMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        if (nowMs - issuedMs > (long)_options.NonceLifetime.TotalMilliseconds || issuedMs - nowMs > 60_000)
        {
            return Fail(DigestVerificationStatus.StaleNonce, "nonce expired", a.Username, stale: true);
        }

        if (a.Qop != DigestQop.None)
        {
            DigestVerificationStatus replay = CheckNonceCount(a.Nonce, a.NonceCount, issuedMs, nowMs);
            if (replay != DigestVerificationStatus.Authenticated)
            {
                return Fail(replay, replay == DigestVerificationStatus.Replay ? $"nc {a.NonceCountText} already used" : "too many nonces in use", a.Username, stale: true);
            }
        }

        return new DigestVerificationResult(DigestVerificationStatus.Authenticated, "ok", a.Username, []);
    }

    private DigestVerificationStatus CheckNonceCount(string nonce, uint nc, long issuedMs, long nowMs)
    {
        long lifetimeMs = (long)_options.NonceLifetime.TotalMilliseconds;
        lock (_gate)
        {
            if (_seen.TryGetValue(nonce, out var seen))
            {
                if (nc <= seen.LastNc)
                {
                    return DigestVerificationStatus.Replay;
                }
            }
            else if (_seen.Count >= _options.MaxTrackedNonces)
            {
                foreach (var (key, value) in _seen)
                {
                    if (nowMs - value.IssuedMs > lifetimeMs)
                    {
                        _seen.Remove(key);
                    }
                }

                if (_seen.Count >= _options.MaxTrackedNonces)
                {
                    return DigestVerificationStatus.StaleNonce;
                }
            }

            _seen[nonce] = (nc, issuedMs);
            return DigestVerificationStatus.Authenticated;
        }
    }

    private bool Offers(DigestAlgorithm algorithm)
    {
        foreach (DigestAlgorithm offered in _options.Algorithms)
        {
            if (offered == algorithm)
            {
                return true;
            }
        }

        return false;
    }

    private DigestVerificationResult Fail(DigestVerificationStatus status, string reason, string? username, bool stale = false) =>
        new(status, reason, username, CreateChallenges(stale));

    private string NewNonce()
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(TimestampBytes, RandomBytes));
        Mac(nonce[..(TimestampBytes + RandomBytes)], nonce[(TimestampBytes + RandomBytes)..]);
        return Base64Url.EncodeToString(nonce);
    }

    private bool TryReadNonce(string text, out long issuedMs)
    {
        issuedMs = 0;
        Span<byte> nonce = stackalloc byte[NonceBytes + 3];
        if (text.Length > 64 || !Base64Url.IsValid(text, out int length) || length != NonceBytes
            || !Base64Url.TryDecodeFromChars(text, nonce, out int written) || written != NonceBytes)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(nonce[..(TimestampBytes + RandomBytes)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, nonce.Slice(TimestampBytes + RandomBytes, MacBytes)))
        {
            return false;
        }

        issuedMs = BinaryPrimitives.ReadInt64BigEndian(nonce);
        return true;
    }

    private void Mac(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_key, data, full);
        full[..destination.Length].CopyTo(destination);
    }
}
