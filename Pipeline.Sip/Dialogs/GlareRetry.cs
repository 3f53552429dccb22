namespace Pipeline.Sip.Dialogs;

/// <summary>The randomized waits of RFC 3261 §14 for re-INVITE glare.</summary>
internal static class GlareRetry
{
    /// <summary>How many times a re-INVITE answered 491 is sent again before the caller hears the 491.</summary>
    public const int MaxAttempts = 5;

    /// <summary>
    /// §14.1: after a 491, wait 2.1–4 s if we generated the Call-ID, else 0–2 s, both in units of 10 ms.
    /// </summary>
    public static TimeSpan Delay(bool callIdOwner, Random random) =>
        TimeSpan.FromMilliseconds(10 * (callIdOwner ? random.Next(210, 401) : random.Next(0, 201)));

    /// <summary>§14.2: the Retry-After (0–10 s) of the 500 answering an INVITE that overlaps an earlier one.</summary>
    public static int RetryAfterSeconds(Random random) => random.Next(0, 11);
}
