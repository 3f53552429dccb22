using Pipeline.Core.Media;

namespace Pipeline.Codecs.G729;

/// <summary>
/// G.729 Annex A encoder (bcg729), optionally with Annex B voice activity detection and discontinuous
/// transmission: 8 kHz PCM16 mono in, 10 bytes per 10 ms frame out (rtpmap <c>G729/8000</c>, PT 18).
/// <code>
///   80 samples ──► bcg729Encoder ──► speech frame (10 B) │ SID frame (2 B, Annex B) │ nothing (DTX, Annex B)
///   n × 80 samples ──► frames concatenated in order ──► one RTP payload (0 to 10·n bytes)
/// </code>
/// <para><b>Payload rules (RFC 3551 §4.5.6).</b> A SID frame may only be the last frame of a payload. When
/// Annex B produces a SID frame followed by a speech frame within the same payload (a talkspurt starting
/// mid-packet), the SID frame is left out; untransmitted frames take no bytes. So a payload is zero or more
/// speech frames optionally followed by one SID frame, and it may be empty: <see cref="Encode"/> then returns 0,
/// and <see cref="AudioEncoderNode"/> sends no packet for it (the RTP timestamp still advances, and the next
/// packet carries the marker bit).</para>
/// <para>Needs the native bcg729 (<see cref="G729Codec.LibraryName"/>); the constructor throws
/// <see cref="DllNotFoundException"/> naming the library and package when it is missing. The native state is
/// held in a <see cref="System.Runtime.InteropServices.SafeHandle"/>; <see cref="Dispose"/> frees it early.
/// <see cref="Encode"/> allocates nothing.</para>
/// </summary>
public sealed unsafe class G729Encoder : IAudioEncoder, IDisposable
{
    private readonly Bcg729Library _lib;
    private readonly Bcg729Handle _handle;

    /// <param name="annexB">True (default): Annex B VAD/DTX, so silence becomes SID frames or nothing.
    /// False: every frame is a 10-byte speech frame (what peers that answer <c>annexb=no</c> expect).</param>
    /// <exception cref="DllNotFoundException">bcg729 is not installed; the message names the library and package.</exception>
    public G729Encoder(bool annexB = true)
        : this(Bcg729Library.Default, annexB)
    {
    }

    internal G729Encoder(Bcg729Library library, bool annexB)
    {
        _lib = library;
        AnnexB = annexB;
        _handle = Bcg729Handle.CreateEncoder(library, annexB);
    }

    public string Name => "G729";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>Whether Annex B (VAD, DTX, SID frames) is on.</summary>
    public bool AnnexB { get; }

    /// <summary>10 bytes per started 10 ms frame.</summary>
    public int GetMaxEncodedLength(int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        return (samplesPerChannel + G729Codec.FrameSamples - 1) / G729Codec.FrameSamples * G729Codec.FrameBytes;
    }

    /// <summary>Encodes a whole number of 10 ms frames (a multiple of 80 samples).</summary>
    /// <returns>Bytes written: 10 per speech frame plus 2 for a final SID frame; 0 when Annex B sends nothing.</returns>
    /// <exception cref="ArgumentException">Not a multiple of 80 samples, or <paramref name="payload"/> shorter than
    /// <see cref="GetMaxEncodedLength"/>.</exception>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (pcm.Length % G729Codec.FrameSamples != 0)
        {
            throw new ArgumentException($"G.729 encodes 10 ms frames of 80 samples: {pcm.Length} samples is not a multiple of 80.", nameof(pcm));
        }

        int frames = pcm.Length / G729Codec.FrameSamples;
        if (payload.Length < frames * G729Codec.FrameBytes)
        {
            throw new ArgumentException($"G.729 needs up to 10 bytes per frame: {frames} frames, {payload.Length} bytes of room.", nameof(payload));
        }

        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            nint ctx = _handle.DangerousGetHandle();
            int offset = 0;
            int sidAt = -1;
            fixed (short* input = pcm)
            fixed (byte* output = payload)
            {
                for (int f = 0; f < frames; f++)
                {
                    // A SID frame written by the previous frame is overwritten by whatever comes next:
                    // RFC 3551 allows it only at the end of a payload.
                    int at = sidAt >= 0 ? sidAt : offset;
                    byte length = 0;
                    _lib.Encode(ctx, input + (f * G729Codec.FrameSamples), output + at, &length);
                    switch (length)
                    {
                        case G729Codec.FrameBytes:
                            offset = at + G729Codec.FrameBytes;
                            sidAt = -1;
                            break;
                        case G729Codec.SidFrameBytes:
                            sidAt = at;
                            offset = at + G729Codec.SidFrameBytes;
                            break;
                        case 0:
                            break; // untransmitted (DTX); a SID before it stays the last frame
                        default:
                            throw new InvalidOperationException($"bcg729Encoder returned an unexpected frame length of {length} bytes.");
                    }
                }
            }

            return offset;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    /// <summary>Frees the native encoder state.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The bcg729 encoder context this wrapper drives (for the benchmark's direct-call baseline, which
    /// must run the same native state).</summary>
    internal nint NativeContext => _handle.DangerousGetHandle();

    public override string ToString() => AnnexB ? "G729 encoder (Annex A+B)" : "G729 encoder (Annex A)";
}
