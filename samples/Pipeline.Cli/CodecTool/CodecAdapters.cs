using Pipeline.Codecs.G711;
using Pipeline.Codecs.G722;
using Pipeline.Codecs.G729;
using Pipeline.Core.Media;

namespace Pipeline.Cli.CodecTool;

/// <summary>The codecs <c>codec</c> knows, by CLI name. Adding one is one entry here (and an adapter if its
/// file format is more than frames back to back).</summary>
internal static class CodecAdapters
{
    public static IReadOnlyList<CodecAdapter> All { get; } =
    [
        new RawFrameCodecAdapter(
            "pcmu", "G.711 µ-law (PCMU, PT 0)", SampleRate.Hz8000, 160, 160,
            "any length; 20 ms = 160 bytes", "raw µ-law bytes (ffmpeg -f mulaw)", "managed",
            static () => new MuLawEncoder(), static () => new MuLawDecoder()),
        new RawFrameCodecAdapter(
            "pcma", "G.711 A-law (PCMA, PT 8)", SampleRate.Hz8000, 160, 160,
            "any length; 20 ms = 160 bytes", "raw A-law bytes (ffmpeg -f alaw)", "managed",
            static () => new ALawEncoder(), static () => new ALawDecoder()),
        new RawFrameCodecAdapter(
            "g722", "G.722 64 kbit/s (G722, PT 9)", SampleRate.Hz16000, 320, 160,
            "pairs of samples; 20 ms = 160 bytes", "raw G.722 bytes (ffmpeg -f g722)", "managed",
            static () => new G722Encoder(), static () => new G722Decoder()),
        new RawFrameCodecAdapter(
            "g729", "G.729 Annex A (G729, PT 18)", SampleRate.Hz8000, 80, 10,
            "10 ms = 10 bytes (SID 2 bytes)", "raw G.729: 10-byte frames, a final 2-byte SID frame (ffmpeg -f g729)",
            $"native {G729Codec.LibraryName} (bcg729, GPL-3)",
            static () => new G729Encoder(annexB: false), static () => new G729Decoder(),
            static () => G729Codec.UnavailableReason,
            static length => length % 10 is 0 or 2 ? null : $"{length} bytes is not a whole number of 10-byte frames (plus at most one final 2-byte SID frame)."),
        new IlbcCodecAdapter(),
        new OpusCodecAdapter(),
    ];

    public static CodecAdapter? Find(string name)
    {
        foreach (var a in All)
        {
            if (string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) return a;
        }

        return null;
    }

    public static string Names => string.Join(", ", All.Select(a => a.Name));
}
