using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Pipeline.Sip.Transport;

/// <summary>How a TLS client checks server certificates: extra trusted roots and/or a callback (null: system trust and host name).</summary>
internal sealed record TlsClientSettings(X509Certificate2Collection? TrustedRoots, RemoteCertificateValidationCallback? Validation);
