namespace Pipeline.Sip.Sdp;

/// <summary>A c= line: network type, address type and address (RFC 4566 §5.7).</summary>
internal sealed record SdpConnection(string NetType, string AddrType, string Address)
{
    public override string ToString() => $"{NetType} {AddrType} {Address}";
}
