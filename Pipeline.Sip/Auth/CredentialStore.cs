using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Sip.Auth;

/// <summary>
/// Credentials per realm with an optional default for any other realm (a registrar and an outbound proxy often
/// challenge with different realms). Thread-safe.
/// </summary>
public sealed class CredentialStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DigestCredentials> _byRealm = new(StringComparer.Ordinal);
    private DigestCredentials? _default;

    /// <summary>An empty store.</summary>
    public CredentialStore()
    {
    }

    /// <summary>A store holding <paramref name="credentials"/> (per realm, or as the default when it has no realm).</summary>
    public CredentialStore(DigestCredentials credentials) => Add(credentials);

    /// <summary>
    /// Adds or replaces credentials: under their realm, or as the default when <see cref="DigestCredentials.Realm"/> is null.
    /// </summary>
    public void Add(DigestCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        lock (_gate)
        {
            if (credentials.Realm is null)
            {
                _default = credentials;
            }
            else
            {
                _byRealm[credentials.Realm] = credentials;
            }
        }
    }

    /// <summary>Sets the credentials used for realms with no entry of their own.</summary>
    /// <exception cref="ArgumentException">The credentials are bound to a realm.</exception>
    public void SetDefault(DigestCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.Realm is not null)
        {
            throw new ArgumentException(
                $"Default credentials must not be bound to a realm (these are for '{credentials.Realm}'); use Add.", nameof(credentials));
        }

        lock (_gate)
        {
            _default = credentials;
        }
    }

    /// <summary>Removes the credentials of one realm. Returns true when there were some.</summary>
    public bool Remove(string realm)
    {
        ArgumentNullException.ThrowIfNull(realm);
        lock (_gate)
        {
            return _byRealm.Remove(realm);
        }
    }

    /// <summary>The credentials for <paramref name="realm"/>: its own entry, else the default.</summary>
    public bool TryGet(string realm, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(realm);
        lock (_gate)
        {
            credentials = _byRealm.TryGetValue(realm, out DigestCredentials? found) ? found : _default;
            return credentials is not null;
        }
    }
}
