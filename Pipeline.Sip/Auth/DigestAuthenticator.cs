using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Pipeline.Sip.Auth;

/// <summary>
/// Client side of digest authentication (RFC 2617, RFC 7616, RFC 3261 §22): answers a 401/407 challenge with the
/// value of an <c>Authorization</c> / <c>Proxy-Authorization</c> header. Keeps a nonce count per (realm, nonce), so
/// several requests answering the same nonce send nc=00000001, 00000002, …; caches HA1 per user, realm and hash.
/// Thread-safe; one instance per user agent (or per line) is intended.
/// </summary>
/// <remarks>
/// Request flow for any request (REGISTER, INVITE, re-INVITE, BYE, REFER, NOTIFY…): on a 401 pass every
/// <c>WWW-Authenticate</c> value (on a 407 every <c>Proxy-Authenticate</c> value) to <see cref="TryAnswer"/> with the
/// authorizations the rejected request carried; when it returns true resend the request (same Call-ID, next CSeq,
/// new Via branch) with one Authorization (401) / Proxy-Authorization (407) header per returned value; when it
/// returns false the 401/407 is final. The lower-level <see cref="TryAuthorize"/> and
/// <see cref="ShouldRetry(DigestAuthorization?, DigestChallenge)"/> do the same for one challenge. Keeping the last
/// challenge and calling <see cref="Authorize(DigestChallenge, string, string)"/> again answers the next request
/// pre-emptively (nc counts up).
/// </remarks>
public sealed class DigestAuthenticator
{
    private const int MaxTrackedNonces = 256;

    private readonly CredentialStore _credentials;
    private readonly Func<string> _cnonceFactory;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Realm, string Nonce), uint> _nonceCounts = [];
    private readonly Dictionary<(DigestCredentials Credentials, string Realm, bool Sha256), string> _ha1Cache = [];

    /// <summary>An authenticator answering with the credentials of <paramref name="credentials"/>.</summary>
    public DigestAuthenticator(CredentialStore credentials)
        : this(credentials, NewCnonce)
    {
    }

    /// <summary>An authenticator with one set of credentials (for their realm, or any realm when they have none).</summary>
    public DigestAuthenticator(DigestCredentials credentials)
        : this(new CredentialStore(credentials ?? throw new ArgumentNullException(nameof(credentials))), NewCnonce)
    {
    }

    /// <summary>For tests: a fixed client-nonce source.</summary>
    internal DigestAuthenticator(CredentialStore credentials, Func<string> cnonceFactory)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _cnonceFactory = cnonceFactory;
    }

    /// <summary>The credentials used, per realm.</summary>
    public CredentialStore Credentials => _credentials;

    /// <summary>
    /// Answers <paramref name="challenge"/> for a request.
    /// </summary>
    /// <param name="challenge">The challenge of the 401/407.</param>
    /// <param name="method">The request method, e.g. <c>REGISTER</c>.</param>
    /// <param name="requestUri">The Request-URI exactly as written in the request line, e.g. <c>sip:example.com</c>.</param>
    /// <param name="body">The message body; only used with qop=auth-int.</param>
    /// <param name="authorization">The header to add, or null when this returns false.</param>
    /// <param name="error">Why no answer was made: no credentials for the realm, or credentials that cannot serve the algorithm.</param>
    public bool TryAuthorize(
        DigestChallenge challenge, string method, string requestUri, ReadOnlySpan<byte> body,
        [NotNullWhen(true)] out DigestAuthorization? authorization, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(requestUri);
        if (requestUri.AsSpan().IndexOfAny('\r', '\n') >= 0 || method.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The method and Request-URI must not contain line breaks.", nameof(requestUri));
        }

        authorization = null;
        if (!_credentials.TryGet(challenge.Realm, out DigestCredentials? credentials))
        {
            error = $"no credentials for realm '{challenge.Realm}'";
            return false;
        }

        if (!credentials.Supports(challenge.Algorithm))
        {
            error = $"credentials for realm '{challenge.Realm}' hold an HA1 that does not fit {DigestHash.AlgorithmToken(challenge.Algorithm)}";
            return false;
        }

        DigestQop qop = challenge.PreferredQop;
        string? cnonce = qop != DigestQop.None || DigestHash.IsSession(challenge.Algorithm) ? _cnonceFactory() : null;
        uint nc = qop != DigestQop.None ? NextNonceCount(challenge.Realm, challenge.Nonce) : 0;
        authorization = Create(challenge, credentials, method, requestUri, body, qop, cnonce, nc);
        error = null;
        return true;
    }

    /// <summary>
    /// Everything a request sender does with a 401/407, in one call: parses the challenge header values
    /// (every <c>WWW-Authenticate</c> of a 401, or every <c>Proxy-Authenticate</c> of a 407), takes the strongest
    /// supported challenge of each realm, decides with <see cref="ShouldRetry(IEnumerable{DigestAuthorization}, DigestChallenge)"/>
    /// and answers each realm. Add every returned authorization as its own Authorization (401) or
    /// Proxy-Authorization (407) header of the resent request, and keep them as the next call's
    /// <paramref name="previousAttempts"/> for this request.
    /// </summary>
    /// <param name="challengeHeaderValues">The challenge header values of the response.</param>
    /// <param name="previousAttempts">The authorizations the rejected request carried (empty on the first 401/407).</param>
    /// <param name="method">The request method.</param>
    /// <param name="requestUri">The Request-URI as written in the request line.</param>
    /// <param name="body">The request body (for qop=auth-int).</param>
    /// <param name="authorizations">One authorization per challenged realm, or empty when this returns false.</param>
    /// <param name="error">Why the 401/407 is final: unparseable challenge, credentials rejected, no credentials.</param>
    public bool TryAnswer(
        IEnumerable<string> challengeHeaderValues, IReadOnlyList<DigestAuthorization> previousAttempts,
        string method, string requestUri, ReadOnlySpan<byte> body,
        out IReadOnlyList<DigestAuthorization> authorizations, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(challengeHeaderValues);
        ArgumentNullException.ThrowIfNull(previousAttempts);
        authorizations = [];
        var perRealm = new List<DigestChallenge>();
        error = "no Digest challenge";
        foreach (string value in challengeHeaderValues)
        {
            if (!DigestChallenge.TryParseAll(value, out IReadOnlyList<DigestChallenge> parsed, out string? parseError))
            {
                error = parseError;
                continue;
            }

            foreach (DigestChallenge challenge in parsed)
            {
                int index = perRealm.FindIndex(c => string.Equals(c.Realm, challenge.Realm, StringComparison.Ordinal));
                if (index < 0)
                {
                    perRealm.Add(challenge);
                }
                else if (DigestHash.Strength(challenge.Algorithm) > DigestHash.Strength(perRealm[index].Algorithm))
                {
                    perRealm[index] = challenge;
                }
            }
        }

        if (perRealm.Count == 0)
        {
            error = $"unusable challenge: {error}";
            return false;
        }

        var result = new List<DigestAuthorization>(perRealm.Count);
        foreach (DigestChallenge challenge in perRealm)
        {
            if (!ShouldRetry(previousAttempts, challenge))
            {
                error = $"credentials rejected for realm '{challenge.Realm}'";
                return false;
            }

            if (!TryAuthorize(challenge, method, requestUri, body, out DigestAuthorization? one, out error))
            {
                return false;
            }

            result.Add(one);
        }

        authorizations = result;
        error = null;
        return true;
    }

    /// <summary>Answers <paramref name="challenge"/> for a request without a body (or with qop=auth).</summary>
    /// <exception cref="InvalidOperationException">No credentials fit the challenge's realm and algorithm.</exception>
    public DigestAuthorization Authorize(DigestChallenge challenge, string method, string requestUri) =>
        Authorize(challenge, method, requestUri, default);

    /// <summary>Answers <paramref name="challenge"/> for a request with a body (used with qop=auth-int).</summary>
    /// <exception cref="InvalidOperationException">No credentials fit the challenge's realm and algorithm.</exception>
    public DigestAuthorization Authorize(DigestChallenge challenge, string method, string requestUri, ReadOnlySpan<byte> body) =>
        TryAuthorize(challenge, method, requestUri, body, out DigestAuthorization? a, out string? error)
            ? a
            : throw new InvalidOperationException($"Cannot answer the digest challenge: {error}.");

    /// <summary>
    /// Decides whether a request rejected with 401/407 should be sent again with credentials.
    /// True for the first challenge (no previous attempt), for a challenge with <c>stale=true</c> (the nonce
    /// expired: retry with the new nonce and the same credentials, without asking the user), and for a challenge
    /// of a realm the previous attempt did not answer. False when the same realm challenges again with
    /// stale=false (the credentials were wrong) or with stale=true but the nonce just answered (a server
    /// loop): the 401/407 is final.
    /// </summary>
    public static bool ShouldRetry(DigestAuthorization? previousAttempt, DigestChallenge newChallenge)
    {
        ArgumentNullException.ThrowIfNull(newChallenge);
        return previousAttempt is null
            || !string.Equals(previousAttempt.Realm, newChallenge.Realm, StringComparison.Ordinal)
            || IsFreshStale(previousAttempt, newChallenge);
    }

    /// <summary>
    /// <see cref="ShouldRetry(DigestAuthorization?, DigestChallenge)"/> when a request carried several
    /// authorizations (e.g. one for a proxy and one for the registrar): compares with the one for the same realm.
    /// </summary>
    public static bool ShouldRetry(IEnumerable<DigestAuthorization> previousAttempts, DigestChallenge newChallenge)
    {
        ArgumentNullException.ThrowIfNull(previousAttempts);
        ArgumentNullException.ThrowIfNull(newChallenge);
        foreach (DigestAuthorization previous in previousAttempts)
        {
            if (string.Equals(previous.Realm, newChallenge.Realm, StringComparison.Ordinal))
            {
                return IsFreshStale(previous, newChallenge);
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="newChallenge"/> only renews the nonce of <paramref name="previousAttempt"/>
    /// (stale=true for the same realm): resend silently, never prompt for credentials.
    /// </summary>
    public static bool IsStaleRetry(DigestAuthorization? previousAttempt, DigestChallenge newChallenge)
    {
        ArgumentNullException.ThrowIfNull(newChallenge);
        return previousAttempt is not null
            && string.Equals(previousAttempt.Realm, newChallenge.Realm, StringComparison.Ordinal)
            && IsFreshStale(previousAttempt, newChallenge);
    }

    // stale=true with the very nonce just answered would loop forever: treat it as a final failure.
    private static bool IsFreshStale(DigestAuthorization previous, DigestChallenge challenge) =>
        challenge.Stale && !string.Equals(previous.Nonce, challenge.Nonce, StringComparison.Ordinal);

    /// <summary>Builds the authorization with a given cnonce and nc (RFC worked examples, tests).</summary>
    internal DigestAuthorization Create(
        DigestChallenge challenge, DigestCredentials credentials, string method, string requestUri,
        ReadOnlySpan<byte> body, DigestQop qop, string? cnonce, uint nc)
    {
        string ncText = nc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        string ha1 = DigestHash.SessionHa1(challenge.Algorithm, PlainHa1(credentials, challenge.Realm, challenge.Algorithm), challenge.Nonce, cnonce ?? "");
        string response = DigestHash.Response(challenge.Algorithm, ha1, challenge.Nonce, qop, ncText, cnonce, method, requestUri, body);
        return new DigestAuthorization(
            credentials.Username, challenge.Realm, challenge.Nonce, requestUri, response, challenge.Algorithm,
            algorithmSpecified: true, qop, cnonce, nc, challenge.Opaque, headerValue: null);
    }

    /// <summary>The next nc for (realm, nonce), starting at 1.</summary>
    internal uint NextNonceCount(string realm, string nonce)
    {
        lock (_gate)
        {
            if (!_nonceCounts.TryGetValue((realm, nonce), out uint count) && _nonceCounts.Count >= MaxTrackedNonces)
            {
                _nonceCounts.Clear(); // old nonces are long expired on any sane server; bound the memory
            }

            _nonceCounts[(realm, nonce)] = ++count;
            return count;
        }
    }

    private string PlainHa1(DigestCredentials credentials, string realm, DigestAlgorithm algorithm)
    {
        if (credentials.Ha1 is not null)
        {
            return credentials.Ha1;
        }

        var key = (credentials, realm, DigestHash.IsSha256(algorithm)); // by instance: replaced credentials never hit a stale HA1
        lock (_gate)
        {
            if (_ha1Cache.TryGetValue(key, out string? cached))
            {
                return cached;
            }
        }

        string ha1 = DigestHash.Ha1(algorithm, credentials.Username, realm, credentials.Password!);
        lock (_gate)
        {
            if (_ha1Cache.Count >= MaxTrackedNonces)
            {
                _ha1Cache.Clear();
            }

            _ha1Cache[key] = ha1;
        }

        return ha1;
    }

    private static string NewCnonce()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }
}
