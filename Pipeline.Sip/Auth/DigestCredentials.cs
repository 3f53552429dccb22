namespace Pipeline.Sip.Auth;

/// <summary>
/// A user name with a password (or a precomputed HA1) for digest authentication, optionally bound to one realm.
/// </summary>
public sealed class DigestCredentials
{
    /// <summary>Credentials with a clear-text password.</summary>
    /// <param name="username">The digest user name (often the user part of the AOR, or a separate auth user).</param>
    /// <param name="password">The password; may be empty, not null.</param>
    /// <param name="realm">The realm these credentials answer, or null to answer any realm.</param>
    /// <exception cref="ArgumentException">A value is empty where it may not be, or contains a line break.</exception>
    public DigestCredentials(string username, string password, string? realm = null)
    {
        ValidateUsername(username);
        ArgumentNullException.ThrowIfNull(password, nameof(password));
        ValidateRealm(realm);
        Username = username;
        Password = password;
        Realm = realm;
    }

    private DigestCredentials(string username, string realm, string ha1, DigestAlgorithm ha1Algorithm)
    {
        Username = username;
        Realm = realm;
        Ha1 = ha1;
        Ha1Algorithm = ha1Algorithm;
    }

    /// <summary>
    /// Credentials holding only HA1 = H(username ":" realm ":" password), so the password need not be kept.
    /// They answer only <paramref name="realm"/>, and only challenges whose algorithm uses the same hash as
    /// <paramref name="algorithm"/> (MD5 and MD5-sess share an HA1; SHA-256 and SHA-256-sess share another).
    /// </summary>
    /// <exception cref="ArgumentException">The user name or realm is empty, or <paramref name="ha1"/> is not hex
    /// of the algorithm's length.</exception>
    public static DigestCredentials FromHa1(string username, string realm, string ha1, DigestAlgorithm algorithm = DigestAlgorithm.Md5)
    {
        ValidateUsername(username);
        ArgumentNullException.ThrowIfNull(realm);
        ValidateRealm(realm);
        ArgumentNullException.ThrowIfNull(ha1);
        int expected = DigestHash.HexLength(algorithm);
        if (ha1.Length != expected || !IsHex(ha1))
        {
            throw new ArgumentException(
                $"HA1 for {DigestHash.AlgorithmToken(algorithm)} must be {expected} hex digits, got '{ha1}'.", nameof(ha1));
        }

        return new DigestCredentials(username, realm, ha1.ToLowerInvariant(), algorithm);
    }

    /// <summary>Computes HA1 = H(username ":" realm ":" password) for storing instead of a password.</summary>
    public static string ComputeHa1(string username, string realm, string password, DigestAlgorithm algorithm = DigestAlgorithm.Md5)
    {
        ValidateUsername(username);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);
        return DigestHash.Ha1(algorithm, username, realm, password);
    }

    /// <summary>The digest user name.</summary>
    public string Username { get; }

    /// <summary>The realm these credentials are for, or null for any realm.</summary>
    public string? Realm { get; }

    /// <summary>The password, or null when built from an HA1.</summary>
    internal string? Password { get; }

    /// <summary>The precomputed HA1, or null when built from a password.</summary>
    internal string? Ha1 { get; }

    internal DigestAlgorithm Ha1Algorithm { get; }

    /// <summary>True when these credentials can answer a challenge with <paramref name="algorithm"/>.</summary>
    public bool Supports(DigestAlgorithm algorithm) =>
        Password is not null || DigestHash.IsSha256(algorithm) == DigestHash.IsSha256(Ha1Algorithm);

    /// <inheritdoc/>
    public override string ToString() => Realm is null ? Username : $"{Username}@{Realm}";

    private static void ValidateUsername(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (username.Length == 0)
        {
            throw new ArgumentException("The digest user name must not be empty.", nameof(username));
        }

        if (username.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The digest user name must not contain a line break.", nameof(username));
        }
    }

    private static void ValidateRealm(string? realm)
    {
        if (realm is null)
        {
            return;
        }

        if (realm.Length == 0)
        {
            throw new ArgumentException("The realm must not be empty; pass null to answer any realm.", nameof(realm));
        }

        if (realm.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The realm must not contain a line break.", nameof(realm));
        }
    }

    private static bool IsHex(string s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
