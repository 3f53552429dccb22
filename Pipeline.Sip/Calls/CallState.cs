namespace Pipeline.Sip.Calls;

/// <summary>Where a call is in its life.</summary>
public enum CallState
{
    /// <summary>An incoming INVITE was received and 180 Ringing sent; waiting for AnswerAsync/RejectAsync.</summary>
    Incoming,

    /// <summary>Our INVITE is out; no ringing yet.</summary>
    Calling,

    /// <summary>The callee rings (180/183, early dialog).</summary>
    Ringing,

    /// <summary>The call is up (2xx and ACK exchanged).</summary>
    Established,

    /// <summary>BYE or CANCEL sent; waiting for the peer.</summary>
    Terminating,

    /// <summary>Over; see <see cref="Call.EndReason"/>.</summary>
    Ended,
}
