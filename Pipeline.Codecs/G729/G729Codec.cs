using Pipeline.Core.Media;

using Pipeline.Codecs.Sdp;

namespace Pipeline.Codecs.G729;

/// <summary>
/// ITU-T G.729 Annex A (with Annex B silence compression) through bcg729, an optional native dependency:
/// Debian's <c>libbcg729.so.0</c> from the package <c>libbcg729-0</c> (GPL-3). Nothing loads it until a
/// <see cref="G729Encoder"/> or <see cref="G729Decoder"/> is made (or <see cref="IsAvailable"/> is asked), so
/// an application that never uses G.729 runs without it.
/// <para>Format (RFC 3551 §4.5.6): 8 kHz mono, RTP clock 8000 Hz, static payload type 18, 10 ms frames of
/// 10 bytes; a 20 ms payload is two frames (20 bytes). With Annex B a payload may end with one 2-byte SID
/// (comfort-noise) frame, and during silence nothing is sent at all (DTX).</para>
/// <para>G.729 is not in <see cref="CodecRegistry.CreateDefault"/>; add it with <see cref="Register"/> when
/// <see cref="IsAvailable"/> is true.</para>
/// </summary>
public static class G729Codec
{
    /// <summary>The native library loaded (a soname). The environment variable <c>PIPELINE_BCG729_LIBRARY</c>
    /// (a soname or path) names another one.</summary>
    public const string LibraryName = Bcg729Library.DefaultName;

    /// <summary>The Debian package that provides <see cref="LibraryName"/>.</summary>
    public const string PackageName = Bcg729Library.Package;

    /// <summary>Samples (8 kHz) in one G.729 frame: 10 ms.</summary>
    public const int FrameSamples = 80;

    /// <summary>Bytes of one speech frame.</summary>
    public const int FrameBytes = 10;

    /// <summary>Bytes of one Annex B SID (silence insertion descriptor) frame.</summary>
    public const int SidFrameBytes = 2;

    /// <summary>The static RTP payload type of G729 (RFC 3551).</summary>
    public const int StaticPayloadType = 18;

    /// <summary>G729/8000, payload type 18, 8 kHz mono, 20 ms packets by default.</summary>
    public static CodecInfo Info => StandardCodecs.G729;

    /// <summary>True when bcg729 loads here (the first call tries to load it).</summary>
    public static bool IsAvailable => Bcg729Library.IsDefaultAvailable;

    /// <summary>Why G.729 is unavailable (names the library and package), or null when it is available.</summary>
    public static string? UnavailableReason => Bcg729Library.DefaultError;

    /// <summary>Adds G729 (PT 18) to <paramref name="registry"/>. Creating an encoder or decoder from it throws
    /// <see cref="DllNotFoundException"/> if bcg729 is missing, so check <see cref="IsAvailable"/> first.</summary>
    /// <param name="registry">The registry to add to.</param>
    /// <param name="annexB">Whether we allow Annex B (VAD, DTX and SID frames): false offers and answers <c>annexb=no</c>.
    /// An encoder uses Annex B when the SDP exchange agreed on it (absent annexb means yes).</param>
    public static void Register(CodecRegistry registry, bool annexB = true)
    {
        ArgumentNullException.ThrowIfNull(registry);
        // The SDP answer settles annexb for both sides (RFC 4856); the encoder follows the agreed value.
        var info = annexB ? Info : Info with { DefaultFmtp = new G729Fmtp(AnnexB: false).ToFmtp() };
        registry.Register(info, static f => new G729Encoder(G729Fmtp.Parse(f.Parameters).AnnexB), static _ => new G729Decoder());
    }
}
