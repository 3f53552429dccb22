namespace Pipeline.Interop.Tests.Peers;

/// <summary>A peer did not do what the test needed; the message carries the peer's captured output.</summary>
internal sealed class PeerException : Exception
{
    public PeerException()
    {
    }

    public PeerException(string message)
        : base(message)
    {
    }

    public PeerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
