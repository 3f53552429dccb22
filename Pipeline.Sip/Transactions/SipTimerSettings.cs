namespace Pipeline.Sip.Transactions;

/// <summary>RFC 3261 timer base values (§17.1.1.1, table 4) and the derived timers for UDP.</summary>
internal sealed record SipTimerSettings(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    public static SipTimerSettings Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    /// <summary>64*T1: timers B, F, H, J, L, M and the 2xx give-up time.</summary>
    public TimeSpan Timeout => T1 * 64;

    /// <summary>Timer D for unreliable transports: at least 32 s.</summary>
    public TimeSpan TimerD => Timeout > TimeSpan.FromSeconds(32) ? Timeout : TimeSpan.FromSeconds(32);
}
