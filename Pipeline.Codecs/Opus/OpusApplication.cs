namespace Pipeline.Codecs.Opus;

/// <summary>What the Opus encoder tunes itself for (libopus <c>OPUS_APPLICATION_*</c>).</summary>
public enum OpusApplication
{
    /// <summary>Speech over a network (<c>OPUS_APPLICATION_VOIP</c>): favours intelligibility, SILK/hybrid modes, in-band FEC works here.</summary>
    Voip = 0,

    /// <summary>Music and mixed content (<c>OPUS_APPLICATION_AUDIO</c>): favours fidelity to the input.</summary>
    Audio = 1,

    /// <summary>Lowest delay (<c>OPUS_APPLICATION_RESTRICTED_LOWDELAY</c>): CELT only, no SILK, so no in-band FEC.</summary>
    LowDelay = 2,
}
