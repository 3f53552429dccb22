namespace Pipeline.Sip.Transactions;

/// <summary>
/// RFC 3261 timer base values (§17.1.1.1, table 4) and the timers derived from them. Timers that only absorb
/// retransmissions (D, I, J, K) are zero over reliable transports.
/// </summary>
internal sealed record SipTimerSettings(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    public static SipTimerSettings Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    /// <summary>64*T1: timers B, F, H, L, M, J (unreliable) and the UAS 2xx give-up time.</summary>
    public TimeSpan Timeout => T1 * 64;

    /// <summary>Timer D: at least 32 s for unreliable transports (and at least 64*T1), zero for reliable ones.</summary>
    public TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : Timeout > TimeSpan.FromSeconds(32) ? Timeout : TimeSpan.FromSeconds(32);

    /// <summary>Timer I (INVITE server, Confirmed) and K (non-INVITE client, Completed): T4, zero for reliable transports.</summary>
    public TimeSpan TimerIK(bool reliable) => reliable ? TimeSpan.Zero : T4;

    /// <summary>Timer J (non-INVITE server, Completed): 64*T1, zero for reliable transports.</summary>
    public TimeSpan TimerJ(bool reliable) => reliable ? TimeSpan.Zero : Timeout;
}
