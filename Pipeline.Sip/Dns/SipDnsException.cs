namespace Pipeline.Sip.Resolution;

/// <summary>
/// RFC 3263 resolution failed: a DNS query timed out or was refused, or no record led to an address.
/// <see cref="Name"/> is the DNS name that failed (or the URI host when nothing resolved).
/// </summary>
public sealed class SipDnsException : Exception
{
    /// <summary>Creates an exception without details.</summary>
    public SipDnsException()
        : this("SIP server resolution failed")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public SipDnsException(string message)
        : base(message)
    {
        Name = string.Empty;
    }

    /// <summary>Creates an exception with a message and the cause.</summary>
    public SipDnsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = string.Empty;
    }

    /// <summary>Creates an exception naming the DNS name and query type that failed.</summary>
    public SipDnsException(string name, string? queryType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Name = name;
        QueryType = queryType;
    }

    /// <summary>DNS name whose lookup failed (e.g. "_sip._udp.example.com" or "example.com").</summary>
    public string Name { get; }

    /// <summary>Query type that failed ("NAPTR", "SRV", "A", "AAAA"), or null when no single query is to blame.</summary>
    public string? QueryType { get; }
}
