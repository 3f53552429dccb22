using System.Net;

namespace Pipeline.Sip.Transactions;

/// <summary>
/// What is left of a server transaction once its final response is out and it only waits for retransmissions
/// (RFC 3261 §17.2: INVITE Confirmed until timer I, non-INVITE Completed until timer J; RFC 6026: INVITE Accepted
/// until timer L). The full transaction object (request, response objects, timers) is dropped; this record keeps
/// just enough to answer a retransmission the same way: the key, the encoded final response and where it went.
/// </summary>
internal sealed class LingeringServerTransaction
{
    public LingeringServerTransaction(string key, SipTransactionState state, byte[]? response, IPEndPoint? destination, string? localTag, string? mergeKey, long expiresAt)
    {
        Key = key;
        State = state;
        Response = response;
        Destination = destination;
        LocalTag = localTag;
        MergeKey = mergeKey;
        ExpiresAt = expiresAt;
    }

    /// <summary>The §17.2.3 key (branch, sent-by, method) the transaction was filed under.</summary>
    public string Key { get; }

    /// <summary>Accepted or Confirmed (INVITE), Completed (non-INVITE).</summary>
    public SipTransactionState State { get; }

    /// <summary>The final response as sent, resent as is to a retransmitted request; null when retransmissions are absorbed silently (INVITE).</summary>
    public byte[]? Response { get; }

    /// <summary>Where <see cref="Response"/> went (§18.2.2).</summary>
    public IPEndPoint? Destination { get; }

    /// <summary>Our To tag (INVITE): a late CANCEL gets its 200 with it (§9.2).</summary>
    public string? LocalTag { get; }

    /// <summary>Key in the layer's merged-request index (§8.2.2.2), if indexed.</summary>
    public string? MergeKey { get; }

    /// <summary>When the entry goes (a <see cref="TimeProvider"/> timestamp).</summary>
    public long ExpiresAt { get; }
}
