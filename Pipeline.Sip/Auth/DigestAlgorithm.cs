namespace Pipeline.Sip.Auth;

/// <summary>Digest hash algorithms (RFC 2617, RFC 7616). A challenge without <c>algorithm</c> means <see cref="Md5"/>.</summary>
public enum DigestAlgorithm
{
    /// <summary><c>MD5</c>: the default of RFC 2617 and of nearly every SIP server.</summary>
    Md5,
    /// <summary><c>MD5-sess</c>: HA1 also covers the server nonce and the client nonce.</summary>
    Md5Sess,
    /// <summary><c>SHA-256</c> (RFC 7616, RFC 8760).</summary>
    Sha256,
    /// <summary><c>SHA-256-sess</c> (RFC 7616, RFC 8760).</summary>
    Sha256Sess,
}
