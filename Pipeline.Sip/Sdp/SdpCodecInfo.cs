namespace Pipeline.Sip.Sdp;

/// <summary>A codec the SIP side knows by name: its static or default dynamic payload type, RTP clock rate and fmtp.</summary>
internal sealed record SdpCodecInfo(string Name, int PayloadType, int ClockRate, string? Fmtp = null)
{
    public const string TelephoneEvent = "telephone-event";

    public static readonly SdpCodecInfo Pcmu = new("PCMU", 0, 8000);
    public static readonly SdpCodecInfo Pcma = new("PCMA", 8, 8000);
    public static readonly SdpCodecInfo G722 = new("G722", 9, 8000);
    public static readonly SdpCodecInfo Dtmf = new(TelephoneEvent, 101, 8000, "0-16");

    public static readonly IReadOnlyList<SdpCodecInfo> Known = [Pcmu, Pcma, G722, Dtmf];

    public bool IsTelephoneEvent => string.Equals(Name, TelephoneEvent, StringComparison.OrdinalIgnoreCase);

    public static SdpCodecInfo? Find(string name)
    {
        foreach (var c in Known)
        {
            if (string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>The codec a static payload type stands for without an rtpmap (RFC 3551).</summary>
    public static SdpCodecInfo? FromStatic(int pt) => pt switch { 0 => Pcmu, 8 => Pcma, 9 => G722, _ => null };
}
