namespace Pipeline.Interop.Tests.Peers;

/// <summary>Sample encoding of a test WAV file.</summary>
public enum WavEncoding
{
    /// <summary>16-bit signed little-endian PCM (format tag 1). What baresip's aufile source needs.</summary>
    Pcm16,

    /// <summary>8-bit G.711 µ-law (format tag 7). What SIPp's rtp_stream needs for payload type 0.</summary>
    MuLaw,

    /// <summary>8-bit G.711 A-law (format tag 6). What SIPp's rtp_stream needs for payload type 8.</summary>
    ALaw,
}
