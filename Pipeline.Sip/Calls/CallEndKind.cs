namespace Pipeline.Sip.Calls;

/// <summary>The kind of <see cref="CallEndReason"/>.</summary>
public enum CallEndKind
{
    LocalHangup,
    RemoteHangup,
    Rejected,
    Cancelled,
    Failed,
    Timeout,
}
