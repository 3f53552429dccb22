namespace Pipeline.Sip.Transactions;

/// <summary>A one-shot timer from a <see cref="TimeProvider"/> whose expiry runs on the scheduler; cancel is final.</summary>
internal sealed class SipTimer : IDisposable
{
    private readonly ITimer _timer;
    private bool _cancelled;

    private SipTimer(TimeProvider time, ISipScheduler scheduler, TimeSpan due, Action callback)
    {
        _timer = time.CreateTimer(_ => scheduler.Post(() =>
        {
            if (!_cancelled)
            {
                _cancelled = true;
                callback();
            }
        }), null, due, Timeout.InfiniteTimeSpan);
    }

    public static SipTimer Start(TimeProvider time, ISipScheduler scheduler, TimeSpan due, Action callback) => new(time, scheduler, due, callback);

    public void Dispose()
    {
        _cancelled = true;
        _timer.Dispose();
    }
}
