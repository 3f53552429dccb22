using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pipeline.Sip.Transactions;

/// <summary>The endpoint's serial executor: a channel drained by one async loop on the thread pool (no dedicated thread).</summary>
internal sealed class SipWorkQueue : ISipScheduler, IAsyncDisposable
{
    private readonly Channel<Action> _channel = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _log;
    private readonly Task _loop;

    public SipWorkQueue(ILogger log)
    {
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    private int _pending;

    public void Post(Action action)
    {
        if (_channel.Writer.TryWrite(action))
        {
            Interlocked.Increment(ref _pending);
        }
    }

    /// <summary>Items waiting to run (admission control refuses new requests when this grows too large).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Runs <paramref name="func"/> on the queue and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        if (!_channel.Writer.TryWrite(() =>
            {
                try
                {
                    tcs.TrySetResult(func());
                }
                catch (Exception ex)
                {
                    tcs.TrySetException(ex);
                }
            }))
        {
            Interlocked.Decrement(ref _pending);
            tcs.TrySetException(new ObjectDisposedException(nameof(SipWorkQueue)));
        }

        return tcs.Task;
    }

    public Task InvokeAsync(Action action) => InvokeAsync(() =>
    {
        action();
        return true;
    });

    private async Task RunAsync()
    {
        await foreach (var item in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Interlocked.Decrement(ref _pending);
            try
            {
                item();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Unhandled error in SIP work item");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
