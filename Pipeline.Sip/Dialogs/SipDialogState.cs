namespace Pipeline.Sip.Dialogs;

/// <summary>RFC 3261 §12 dialog states.</summary>
internal enum SipDialogState
{
    Early,
    Confirmed,
    Terminated,
}
