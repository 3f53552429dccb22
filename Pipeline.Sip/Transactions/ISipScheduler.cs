namespace Pipeline.Sip.Transactions;

/// <summary>
/// Runs signalling work one item at a time. Transport receives, timer expiries and API calls are all posted here, so
/// transaction, dialog and call state is only touched from one logical thread and needs no locks.
/// </summary>
internal interface ISipScheduler
{
    void Post(Action action);
}
