using System.Globalization;

namespace Pipeline.Sip.Messages;

/// <summary>Builds responses to requests (RFC 3261 §8.2.6) and ids (tags, branches, Call-IDs).</summary>
internal static class SipMessageFactory
{
    /// <summary>
    /// A response copying Via, From, To, Call-ID and CSeq as received (raw values, so it works on a partly
    /// parsed request); adds a To tag if the request had none and <paramref name="toTag"/> is given.
    /// </summary>
    public static SipResponse CreateResponse(SipMessage request, int statusCode, string? reason = null, string? toTag = null)
    {
        var r = new SipResponse(statusCode, reason ?? SipResponse.DefaultReason(statusCode)) { Connection = request.Connection };
        foreach (var h in request.Headers)
        {
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.CallId or SipHeaderNames.CSeq)
            {
                r.AddHeader(h.Name, h.Value);
            }
            else if (h.Name == SipHeaderNames.RecordRoute && statusCode is > 100 and < 300)
            {
                // §12.1.1: a dialog-creating response carries the request's Record-Route set, in order.
                r.AddHeader(h.Name, h.Value);
            }
            else if (h.Name == SipHeaderNames.To)
            {
                var value = h.Value;
                if (toTag is not null && statusCode != 100 && !HasTag(value))
                {
                    value += ";tag=" + toTag;
                }

                r.AddHeader(h.Name, value);
            }
        }

        return r;
    }

    /// <summary>True when a raw From/To value carries a tag parameter (outside the angle brackets).</summary>
    public static bool HasTag(string rawNameAddr)
    {
        var close = rawNameAddr.LastIndexOf('>');
        var paramsPart = close >= 0 ? rawNameAddr[(close + 1)..] : rawNameAddr;
        return paramsPart.Replace(" ", "", StringComparison.Ordinal).Contains(";tag=", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True when a response can be routed and matched by the sender: Via and CSeq are there (RFC 4475 §3.3.1 wants a
    /// 400 even when From, To or Call-ID are missing; the response then carries what the request had).
    /// </summary>
    public static bool CanRespond(SipMessage request) =>
        request.GetHeader(SipHeaderNames.Via) is not null && request.GetHeader(SipHeaderNames.CSeq) is not null;

    public static string NewTag() => RandomHex(8);

    public static string NewBranch() => SipVia.MagicCookie + RandomHex(12);

    public static string NewCallId(string host) => RandomHex(16) + "@" + host;

    private static string RandomHex(int bytes)
    {
        Span<byte> b = stackalloc byte[bytes];
        Random.Shared.NextBytes(b);
        return Convert.ToHexStringLower(b);
    }

    public static string Format(int n) => n.ToString(CultureInfo.InvariantCulture);
}
