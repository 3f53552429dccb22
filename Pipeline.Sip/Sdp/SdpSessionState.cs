namespace Pipeline.Sip.Sdp;

/// <summary>The o= identity of our SDP within one call: session id, and a version that grows with each description we send.</summary>
internal sealed class SdpSessionState(string sessionId)
{
    private ulong _version;

    public string SessionId { get; } = sessionId;

    public ulong Version => _version;

    public ulong NextVersion() => ++_version;
}
