namespace Pipeline.Core.Tests.Support;

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until true or the timeout passes; returns its last value.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan? timeout = null, Action? eachRound = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (DateTime.UtcNow < deadline)
        {
            eachRound?.Invoke();
            if (condition()) return true;
            await Task.Delay(10);
        }

        return condition();
    }
}
