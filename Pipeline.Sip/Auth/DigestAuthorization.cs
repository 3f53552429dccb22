using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Pipeline.Sip.Auth;

/// <summary>
/// Digest credentials of one request: the value of an <c>Authorization</c> (answering a 401) or
/// <c>Proxy-Authorization</c> (answering a 407) header. Made by <see cref="DigestAuthenticator"/>; parsed on the
/// server side by <see cref="TryParse"/>.
/// </summary>
public sealed class DigestAuthorization
{
    internal DigestAuthorization(
        string username, string realm, string nonce, string uri, string response, DigestAlgorithm algorithm,
        bool algorithmSpecified, DigestQop qop, string? cnonce, uint nonceCount, string? opaque, string? headerValue)
    {
        Username = username;
        Realm = realm;
        Nonce = nonce;
        Uri = uri;
        Response = response;
        Algorithm = algorithm;
        AlgorithmSpecified = algorithmSpecified;
        Qop = qop;
        Cnonce = cnonce;
        NonceCount = nonceCount;
        Opaque = opaque;
        HeaderValue = headerValue ?? Format();
    }

    /// <summary>The digest user name.</summary>
    public string Username { get; }

    /// <summary>The realm answered.</summary>
    public string Realm { get; }

    /// <summary>The server nonce answered.</summary>
    public string Nonce { get; }

    /// <summary>The digest-uri (the Request-URI of the request).</summary>
    public string Uri { get; }

    /// <summary>The request-digest, lowercase hex.</summary>
    public string Response { get; }

    /// <summary>The algorithm used.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>True when the header names the algorithm.</summary>
    public bool AlgorithmSpecified { get; }

    /// <summary>The qop used.</summary>
    public DigestQop Qop { get; }

    /// <summary>The client nonce, or null without qop.</summary>
    public string? Cnonce { get; }

    /// <summary>The nonce count (<c>nc</c>), or 0 without qop.</summary>
    public uint NonceCount { get; }

    /// <summary>The <c>nc</c> value as written: 8 lowercase hex digits.</summary>
    public string NonceCountText => NonceCount.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The opaque value echoed from the challenge, or null.</summary>
    public string? Opaque { get; }

    /// <summary>The complete header value, starting with <c>Digest </c>.</summary>
    public string HeaderValue { get; }

    /// <inheritdoc/>
    public override string ToString() => HeaderValue;

    /// <summary>
    /// Parses an Authorization / Proxy-Authorization value. Needs username, realm, nonce, uri and response;
    /// with qop also cnonce and an 8-hex-digit nc.
    /// </summary>
    public static bool TryParse(string headerValue, [NotNullWhen(true)] out DigestAuthorization? authorization, [NotNullWhen(false)] out string? error)
    {
        authorization = null;
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            error = "empty Authorization value";
            return false;
        }

        var schemes = new List<AuthSchemeParameters>();
        if (!DigestHeaderSyntax.TryParse(headerValue, schemes, out error))
        {
            return false;
        }

        AuthSchemeParameters? p = null;
        foreach (AuthSchemeParameters s in schemes)
        {
            if (s.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
            {
                p = s;
                break;
            }
        }

        if (p is null)
        {
            error = "not Digest credentials";
            return false;
        }

        string? username = p.Get("username"), realm = p.Get("realm"), nonce = p.Get("nonce");
        string? uri = p.Get("uri"), response = p.Get("response");
        string? missing = username is null ? "username" : realm is null ? "realm" : nonce is null ? "nonce"
            : uri is null ? "uri" : response is null ? "response" : null;
        if (missing is not null)
        {
            error = $"Digest credentials without {missing}";
            return false;
        }

        DigestAlgorithm algorithm = DigestAlgorithm.Md5;
        string? algorithmToken = p.Get("algorithm");
        if (algorithmToken is not null && !DigestHash.TryParseAlgorithm(algorithmToken, out algorithm))
        {
            error = $"unsupported Digest algorithm '{algorithmToken}'";
            return false;
        }

        DigestQop qop = DigestQop.None;
        string? qopToken = p.Get("qop");
        string? cnonce = p.Get("cnonce");
        uint nc = 0;
        if (qopToken is not null)
        {
            if (qopToken.Equals("auth", StringComparison.OrdinalIgnoreCase))
            {
                qop = DigestQop.Auth;
            }
            else if (qopToken.Equals("auth-int", StringComparison.OrdinalIgnoreCase))
            {
                qop = DigestQop.AuthInt;
            }
            else
            {
                error = $"unsupported Digest qop '{qopToken}'";
                return false;
            }

            string? ncText = p.Get("nc");
            if (string.IsNullOrEmpty(cnonce))
            {
                error = "Digest credentials with qop but without cnonce";
                return false;
            }

            if (ncText is null || ncText.Length != 8
                || !uint.TryParse(ncText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out nc))
            {
                error = $"Digest nc must be 8 hex digits, got '{ncText}'";
                return false;
            }
        }

        authorization = new DigestAuthorization(
            username!, realm!, nonce!, uri!, response!, algorithm, algorithmToken is not null, qop, cnonce, nc,
            p.Get("opaque"), headerValue);
        error = null;
        return true;
    }

    private string Format()
    {
        var sb = new StringBuilder("Digest ");
        DigestHeaderSyntax.AppendQuoted(sb, "username", Username);
        DigestHeaderSyntax.AppendQuoted(sb, "realm", Realm);
        DigestHeaderSyntax.AppendQuoted(sb, "nonce", Nonce);
        DigestHeaderSyntax.AppendQuoted(sb, "uri", Uri);
        DigestHeaderSyntax.AppendQuoted(sb, "response", Response);
        if (AlgorithmSpecified)
        {
            DigestHeaderSyntax.AppendToken(sb, "algorithm", DigestHash.AlgorithmToken(Algorithm));
        }

        if (Cnonce is not null)
        {
            DigestHeaderSyntax.AppendQuoted(sb, "cnonce", Cnonce);
        }

        if (Opaque is not null)
        {
            DigestHeaderSyntax.AppendQuoted(sb, "opaque", Opaque);
        }

        if (Qop != DigestQop.None)
        {
            DigestHeaderSyntax.AppendToken(sb, "qop", DigestHash.QopToken(Qop));
            DigestHeaderSyntax.AppendToken(sb, "nc", NonceCountText);
        }

        return sb.ToString();
    }
}
