using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pipeline.Sip.Resolution;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transport;

namespace Pipeline.Sip.Tests.Transport;

public sealed class TransportOptionsTests
{
    [Fact]
    public void Tls_listener_without_certificate_is_rejected_naming_TlsCertificate()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EndpointOptions { TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0) }.Validate());
        Assert.Equal("TlsCertificate", ex.ParamName);
    }

    [Fact]
    public void Tls_certificate_without_private_key_is_rejected()
    {
        using var certs = TestCertificates.Create();
        using var publicOnly = X509CertificateLoader.LoadCertificate(certs.Server.Export(X509ContentType.Cert));
        var ex = Assert.Throws<ArgumentException>(() => new EndpointOptions { TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), TlsCertificate = publicOnly }.Validate());
        Assert.Contains("private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_transport_value_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EndpointOptions { Transport = (SipTransportKind)7 }.Validate());
        Assert.Equal("Transport", ex.ParamName);
    }

    [Fact]
    public async Task Tls_listener_binds_its_own_port_and_is_absent_by_default()
    {
        using var certs = TestCertificates.Create();
        await using var plain = new Endpoint(EndpointPair.Options("a"), new FakeMediaFactory());
        await plain.StartAsync();
        Assert.Null(plain.TlsLocalEndPoint);

        await using var tls = new Endpoint(EndpointPair.Options("b") with { TlsBindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), TlsCertificate = certs.Server, Transport = SipTransportKind.Tls }, new FakeMediaFactory());
        await tls.StartAsync();
        Assert.NotNull(tls.TlsLocalEndPoint);
        Assert.NotEqual(0, tls.TlsLocalEndPoint!.Port);
        Assert.Equal(tls.TlsLocalEndPoint.Port, tls.LocalUri.Port); // a TLS default advertises the TLS port
    }
}
