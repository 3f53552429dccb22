using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Sip.Auth;

/// <summary>
/// The digest hash function H() of RFC 7616 over colon-joined strings, with lowercase hex output. Inputs are encoded
/// into a stack (or pooled) buffer that is wiped afterwards, because HA1 inputs contain the password.
/// </summary>
internal static class DigestHash
{
    private const int StackLimit = 512;

    public static bool IsSha256(DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess;

    public static bool IsSession(DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess;

    /// <summary>Length in hex characters of a hash made with <paramref name="algorithm"/>.</summary>
    public static int HexLength(DigestAlgorithm algorithm) => IsSha256(algorithm) ? 64 : 32;

    /// <summary>H(parts[0] ":" parts[1] ":" …) as lowercase hex.</summary>
    public static string Hash(DigestAlgorithm algorithm, params ReadOnlySpan<string> parts)
    {
        int max = parts.Length;
        foreach (string part in parts)
        {
            max += Encoding.UTF8.GetMaxByteCount(part.Length);
        }

        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        int length = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                buffer[length++] = (byte)':';
            }

            length += Encoding.UTF8.GetBytes(parts[i], buffer[length..]);
        }

        string result = HashData(algorithm, buffer[..length]);
        CryptographicOperations.ZeroMemory(buffer[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return result;
    }

    /// <summary>H(data) as lowercase hex.</summary>
    public static string HashData(DigestAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
#pragma warning disable CA5351 // MD5 is what RFC 2617 digest and almost every SIP server require; it is not our choice.
        int written = IsSha256(algorithm) ? SHA256.HashData(data, digest) : MD5.HashData(data, digest);
#pragma warning restore CA5351
        return Convert.ToHexStringLower(digest[..written]);
    }

    /// <summary>Constant-time comparison of two hex strings, ignoring the case of the received one.</summary>
    public static bool HexEquals(string expectedLower, string received)
    {
        if (expectedLower.Length != received.Length || expectedLower.Length > 128)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[expectedLower.Length];
        Span<byte> b = stackalloc byte[received.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (byte)expectedLower[i];
            char c = received[i];
            b[i] = (byte)(c is >= 'A' and <= 'Z' ? c + 32 : c);
        }

        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>HA1 for a plain algorithm: H(username ":" realm ":" password).</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hash(algorithm, username, realm, password);

    /// <summary>The session HA1 of the -sess algorithms, from the plain HA1; otherwise the plain HA1 itself.</summary>
    public static string SessionHa1(DigestAlgorithm algorithm, string plainHa1, string nonce, string cnonce) =>
        IsSession(algorithm) ? Hash(algorithm, plainHa1, nonce, cnonce) : plainHa1;

    /// <summary>The request-digest of RFC 2617 §3.2.2.1 / RFC 7616 §3.4.1.</summary>
    public static string Response(
        DigestAlgorithm algorithm, string ha1, string nonce, DigestQop qop, string? nc, string? cnonce,
        string method, string uri, ReadOnlySpan<byte> body)
    {
        string ha2 = qop == DigestQop.AuthInt
            ? Hash(algorithm, method, uri, HashData(algorithm, body))
            : Hash(algorithm, method, uri);
        return qop == DigestQop.None
            ? Hash(algorithm, ha1, nonce, ha2)
            : Hash(algorithm, ha1, nonce, nc ?? "", cnonce ?? "", QopToken(qop), ha2);
    }

    public static string QopToken(DigestQop qop) => qop switch
    {
        DigestQop.Auth => "auth",
        DigestQop.AuthInt => "auth-int",
        _ => "",
    };

    public static string AlgorithmToken(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        _ => "MD5",
    };

    public static bool TryParseAlgorithm(string token, out DigestAlgorithm algorithm)
    {
        switch (token.ToUpperInvariant())
        {
            case "MD5": algorithm = DigestAlgorithm.Md5; return true;
            case "MD5-SESS": algorithm = DigestAlgorithm.Md5Sess; return true;
            case "SHA-256": algorithm = DigestAlgorithm.Sha256; return true;
            case "SHA-256-SESS": algorithm = DigestAlgorithm.Sha256Sess; return true;
            default: algorithm = DigestAlgorithm.Md5; return false;
        }
    }

    /// <summary>Preference when a server offers several: SHA-256 first, plain before -sess.</summary>
    public static int Strength(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => 4,
        DigestAlgorithm.Sha256Sess => 3,
        DigestAlgorithm.Md5 => 2,
        _ => 1,
    };
}
