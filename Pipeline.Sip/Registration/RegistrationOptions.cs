namespace Pipeline.Sip.Registration;

/// <summary>One registration: which server, as whom, how often.</summary>
public sealed record RegistrationOptions
{
    /// <summary>The registrar, e.g. <c>sip:10.0.0.5:5060</c> or <c>sip:pbx.example.com</c>.</summary>
    public required string Registrar { get; init; }

    /// <summary>The address of record, e.g. <c>sip:agent1@example.com</c>. Default: our user at the registrar's host.</summary>
    public string? AddressOfRecord { get; init; }

    /// <summary>Digest user name (default: the AOR's user).</summary>
    public string? AuthUser { get; init; }

    /// <summary>Digest password; null registers without credentials (a 401/407 then fails the registration).</summary>
    public string? Password { get; init; }

    /// <summary>Binding lifetime asked for.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>First retry delay after a failure; doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (!Messages.SipUri.TryParse(Registrar, out _, out var error)) throw new ArgumentException($"Registrar '{Registrar}' is not a SIP URI: {error}", nameof(Registrar));
        if (AddressOfRecord is not null && !Messages.SipUri.TryParse(AddressOfRecord, out _, out error)) throw new ArgumentException($"AddressOfRecord '{AddressOfRecord}' is not a SIP URI: {error}", nameof(AddressOfRecord));
        if (Expires < TimeSpan.FromSeconds(10) || Expires > TimeSpan.FromDays(1)) throw new ArgumentException($"Expires {Expires} must be between 10 s and 1 day.", nameof(Expires));
        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay) throw new ArgumentException("RetryDelay must be positive and not above MaxRetryDelay.", nameof(RetryDelay));
    }
}
