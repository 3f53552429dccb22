namespace Pipeline.Sip.Calls;

/// <summary>Who sent the initial INVITE.</summary>
public enum CallDirection
{
    Incoming,
    Outgoing,
}
