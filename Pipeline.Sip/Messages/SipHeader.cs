namespace Pipeline.Sip.Messages;

/// <summary>One header line as received or to be written: canonical name and unfolded raw value.</summary>
internal readonly record struct SipHeader(string Name, string Value);
