using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Pipeline.Sip.Auth;

/// <summary>
/// A Digest challenge from a <c>WWW-Authenticate</c> (401) or <c>Proxy-Authenticate</c> (407) header
/// (RFC 2617, RFC 7616, RFC 3261 §22.4). Parse one with <see cref="TryParse(string, out DigestChallenge?, out string?)"/>;
/// write one with <see cref="ToHeaderValue"/>.
/// </summary>
public sealed class DigestChallenge
{
    /// <summary>Creates a challenge (used by servers and tests).</summary>
    /// <exception cref="ArgumentException">The realm or nonce is empty.</exception>
    public DigestChallenge(string realm, string nonce)
    {
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        Realm = realm;
        Nonce = nonce;
    }

    /// <summary>The protection space; credentials are chosen by it.</summary>
    public string Realm { get; }

    /// <summary>The server nonce.</summary>
    public string Nonce { get; }

    /// <summary>Opaque string the client must return unchanged, or null.</summary>
    public string? Opaque { get; init; }

    /// <summary>True when the previous request was rejected only because its nonce was stale: retry with this
    /// challenge's nonce and the same credentials, without asking the user again.</summary>
    public bool Stale { get; init; }

    /// <summary>Hash algorithm; <see cref="DigestAlgorithm.Md5"/> when the header had none.</summary>
    public DigestAlgorithm Algorithm { get; init; }

    /// <summary>True when the header named the algorithm explicitly.</summary>
    public bool AlgorithmSpecified { get; init; }

    /// <summary>True when <c>qop</c> lists <c>auth</c>.</summary>
    public bool OffersAuth { get; init; }

    /// <summary>True when <c>qop</c> lists <c>auth-int</c>.</summary>
    public bool OffersAuthInt { get; init; }

    /// <summary>The qop a client uses: <c>auth</c> when offered, else <c>auth-int</c>, else none (RFC 2069 style).</summary>
    public DigestQop PreferredQop => OffersAuth ? DigestQop.Auth : OffersAuthInt ? DigestQop.AuthInt : DigestQop.None;

    /// <summary>The raw <c>domain</c> parameter (space-separated URIs), or null.</summary>
    public string? Domain { get; init; }

    /// <summary>
    /// Parses a header value that may hold several challenges (RFC 7616 §3.7: a server may offer SHA-256 and MD5)
    /// and returns the strongest supported Digest one. Non-Digest schemes, unsupported algorithms and unknown
    /// parameters are skipped.
    /// </summary>
    /// <returns>False with a reason in <paramref name="error"/> when no usable Digest challenge is present.</returns>
    public static bool TryParse(string headerValue, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        challenge = null;
        if (!TryParseAll(headerValue, out IReadOnlyList<DigestChallenge> all, out error))
        {
            return false;
        }

        challenge = SelectPreferred(all);
        return true;
    }

    /// <summary>
    /// Like <see cref="TryParse(string, out DigestChallenge?, out string?)"/> over several header lines of one
    /// response (a SIP response may repeat WWW-Authenticate).
    /// </summary>
    public static bool TryParse(IEnumerable<string> headerValues, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var found = new List<DigestChallenge>();
        error = "no Digest challenge";
        foreach (string value in headerValues)
        {
            if (TryParseAll(value, out IReadOnlyList<DigestChallenge> some, out string? e))
            {
                found.AddRange(some);
            }
            else
            {
                error = e;
            }
        }

        challenge = found.Count > 0 ? SelectPreferred(found) : null;
        if (challenge is not null)
        {
            error = null;
        }

        return challenge is not null;
    }

    /// <summary>Parses every supported Digest challenge in a header value, in header order.</summary>
    /// <returns>False with a reason when the value is malformed or holds no usable Digest challenge.</returns>
    public static bool TryParseAll(string headerValue, out IReadOnlyList<DigestChallenge> challenges, [NotNullWhen(false)] out string? error)
    {
        challenges = [];
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            error = "empty challenge";
            return false;
        }

        var schemes = new List<AuthSchemeParameters>();
        if (!DigestHeaderSyntax.TryParse(headerValue, schemes, out error))
        {
            return false;
        }

        var result = new List<DigestChallenge>();
        error = "no Digest challenge";
        foreach (AuthSchemeParameters scheme in schemes)
        {
            if (!scheme.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (FromParameters(scheme, out DigestChallenge? one, out string? e))
            {
                result.Add(one!);
            }
            else
            {
                error = e;
            }
        }

        if (result.Count == 0)
        {
            return false;
        }

        challenges = result;
        error = null;
        return true;
    }

    /// <summary>The strongest algorithm among <paramref name="challenges"/> (SHA-256 before MD5, plain before -sess);
    /// the first in header order among equals.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static DigestChallenge SelectPreferred(IReadOnlyList<DigestChallenge> challenges)
    {
        ArgumentNullException.ThrowIfNull(challenges);
        if (challenges.Count == 0)
        {
            throw new ArgumentException("At least one challenge is needed to select from.", nameof(challenges));
        }

        DigestChallenge best = challenges[0];
        for (int i = 1; i < challenges.Count; i++)
        {
            if (DigestHash.Strength(challenges[i].Algorithm) > DigestHash.Strength(best.Algorithm))
            {
                best = challenges[i];
            }
        }

        return best;
    }

    private static bool FromParameters(AuthSchemeParameters scheme, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        challenge = null;
        string? realm = scheme.Get("realm");
        string? nonce = scheme.Get("nonce");
        if (realm is null)
        {
            error = "Digest challenge without realm";
            return false;
        }

        if (string.IsNullOrEmpty(nonce))
        {
            error = "Digest challenge without nonce";
            return false;
        }

        DigestAlgorithm algorithm = DigestAlgorithm.Md5;
        string? algorithmToken = scheme.Get("algorithm");
        if (algorithmToken is not null && !DigestHash.TryParseAlgorithm(algorithmToken, out algorithm))
        {
            error = $"unsupported Digest algorithm '{algorithmToken}'";
            return false;
        }

        bool auth = false, authInt = false;
        string? qop = scheme.Get("qop");
        if (qop is not null)
        {
            foreach (Range range in qop.AsSpan().SplitAny(", \t"))
            {
                ReadOnlySpan<char> option = qop.AsSpan()[range];
                auth |= option.Equals("auth", StringComparison.OrdinalIgnoreCase);
                authInt |= option.Equals("auth-int", StringComparison.OrdinalIgnoreCase);
            }

            if (!auth && !authInt)
            {
                error = $"unsupported Digest qop '{qop}'";
                return false;
            }
        }

        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = scheme.Get("opaque"),
            Stale = string.Equals(scheme.Get("stale"), "true", StringComparison.OrdinalIgnoreCase),
            Algorithm = algorithm,
            AlgorithmSpecified = algorithmToken is not null,
            OffersAuth = auth,
            OffersAuthInt = authInt,
            Domain = scheme.Get("domain"),
        };
        error = null;
        return true;
    }

    /// <summary>The header value, e.g. <c>Digest realm="x", nonce="y", algorithm=MD5, qop="auth"</c>.</summary>
    public string ToHeaderValue()
    {
        var sb = new StringBuilder("Digest ");
        DigestHeaderSyntax.AppendQuoted(sb, "realm", Realm);
        if (Domain is not null)
        {
            DigestHeaderSyntax.AppendQuoted(sb, "domain", Domain);
        }

        DigestHeaderSyntax.AppendQuoted(sb, "nonce", Nonce);
        if (Opaque is not null)
        {
            DigestHeaderSyntax.AppendQuoted(sb, "opaque", Opaque);
        }

        if (Stale)
        {
            DigestHeaderSyntax.AppendToken(sb, "stale", "true");
        }

        if (AlgorithmSpecified || Algorithm != DigestAlgorithm.Md5)
        {
            DigestHeaderSyntax.AppendToken(sb, "algorithm", DigestHash.AlgorithmToken(Algorithm));
        }

        if (OffersAuth || OffersAuthInt)
        {
            string qop = OffersAuth && OffersAuthInt ? "auth,auth-int" : OffersAuth ? "auth" : "auth-int";
            DigestHeaderSyntax.AppendQuoted(sb, "qop", qop);
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToHeaderValue();
}
