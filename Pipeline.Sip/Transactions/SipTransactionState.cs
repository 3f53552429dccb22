namespace Pipeline.Sip.Transactions;

/// <summary>States of the four RFC 3261 §17 machines (Accepted from RFC 6026).</summary>
internal enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Accepted,
    Completed,
    Confirmed,
    Terminated,
}
