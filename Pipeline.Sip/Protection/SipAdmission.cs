namespace Pipeline.Sip.Protection;

/// <summary>What <see cref="SipProtection"/> decides for a received message.</summary>
internal enum SipAdmission
{
    /// <summary>Process it.</summary>
    Accept,

    /// <summary>Drop it silently.</summary>
    Drop,

    /// <summary>Answer 503 with Retry-After statelessly and drop it.</summary>
    Reject,
}
