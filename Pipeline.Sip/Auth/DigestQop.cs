namespace Pipeline.Sip.Auth;

/// <summary>Quality of protection used in one digest response.</summary>
public enum DigestQop
{
    /// <summary>No <c>qop</c> (RFC 2069 compatibility): no <c>cnonce</c> and no <c>nc</c>.</summary>
    None,
    /// <summary><c>auth</c>: authentication of the request line only. Preferred whenever offered.</summary>
    Auth,
    /// <summary><c>auth-int</c>: authentication that also covers the message body.</summary>
    AuthInt,
}
