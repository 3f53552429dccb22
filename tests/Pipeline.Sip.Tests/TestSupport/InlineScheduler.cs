using Pipeline.Sip.Transactions;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>Runs posted work at once (tests drive everything from one thread with a manual clock).</summary>
internal sealed class InlineScheduler : ISipScheduler
{
    public void Post(Action action) => action();
}
