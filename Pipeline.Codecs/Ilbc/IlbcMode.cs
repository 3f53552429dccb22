namespace Pipeline.Codecs.Ilbc;

/// <summary>The two frame sizes of iLBC (RFC 3951): the SDP <c>a=fmtp:… mode=20</c> or <c>mode=30</c> (RFC 3952).</summary>
public enum IlbcMode
{
    /// <summary>20 ms frames: 160 samples at 8 kHz in 38 bytes (15.2 kbit/s).</summary>
    Ms20 = 20,

    /// <summary>30 ms frames: 240 samples at 8 kHz in 50 bytes (13.33 kbit/s).</summary>
    Ms30 = 30,
}
