using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Calls;

/// <summary>
/// The final answer to a request sent with <see cref="Call.SendRequestAsync"/> (after any digest retry): status,
/// reason, headers and body. A request that got no answer is reported as 408 with the transaction's reason.
/// </summary>
public sealed class SipRequestResult
{
    private readonly KeyValuePair<string, string>[] _headers;

    internal SipRequestResult(string method, uint cseq, int statusCode, string reasonPhrase, KeyValuePair<string, string>[] headers, ReadOnlyMemory<byte> body, string? authenticationError)
    {
        Method = method;
        CSeq = cseq;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        _headers = headers;
        Body = body;
        AuthenticationError = authenticationError;
    }

    internal static SipRequestResult From(SipRequest request, SipResponse response, string? authenticationError)
    {
        var headers = new KeyValuePair<string, string>[response.Headers.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            var h = response.Headers[i];
            headers[i] = new(h.Name, h.Value);
        }

        return new SipRequestResult(request.Method, request.CSeq.Number, response.StatusCode, response.ReasonPhrase, headers, response.Body, authenticationError);
    }

    internal static SipRequestResult Timeout(SipRequest request, string why) =>
        new(request.Method, request.CSeq.Number, 408, "Request Timeout (" + why + ")", [], ReadOnlyMemory<byte>.Empty, null);

    /// <summary>The method of the request answered.</summary>
    public string Method { get; }

    /// <summary>The CSeq number of the request that got this answer (after a digest retry: the retry's).</summary>
    public uint CSeq { get; }

    /// <summary>The final status code (200-699; 408 when nothing came back).</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase.</summary>
    public string ReasonPhrase { get; }

    /// <summary>True for a 2xx.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>
    /// For a final 401/407: why it was not answered (again) with credentials — none configured, credentials rejected
    /// for the realm (the same realm challenged again without stale=true), or a stale challenge repeating the nonce
    /// just answered. Null otherwise.
    /// </summary>
    public string? AuthenticationError { get; }

    /// <summary>The response headers, in order, as (name, value) with names in their full form.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>The response body (empty when there is none).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var h in _headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} -> {StatusCode} {ReasonPhrase}";
}
