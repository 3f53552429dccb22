namespace Pipeline.Sip.Media;

/// <summary>An SDP stream direction (RFC 3264 §5.1), always from our own point of view.</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}
