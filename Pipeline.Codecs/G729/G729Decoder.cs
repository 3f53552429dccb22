using Pipeline.Core.Media;

namespace Pipeline.Codecs.G729;

/// <summary>
/// G.729 Annex A/B decoder (bcg729): 10-byte speech frames and 2-byte Annex B SID frames in, 8 kHz PCM16 mono out.
/// <code>
///   payload = n × 10-byte speech frame [+ 2-byte SID frame] ──► bcg729Decoder per frame ──► (n [+1]) × 80 samples
///   lost / untransmitted frame ──► bcg729Decoder(frame erasure) ──► concealment or comfort noise
/// </code>
/// <para>A SID frame updates the comfort-noise parameters and produces 10 ms of comfort noise. <see cref="Conceal"/>
/// is G.729's frame erasure: after speech it extrapolates the last frame with decaying gains (G.729 §4.4); after a
/// SID frame (DTX, the sender went quiet) it keeps generating comfort noise (Annex B §4.2), so a jitter buffer that
/// conceals the silent stretches of a DTX stream gives the intended background noise.</para>
/// <para>A payload whose length is neither a multiple of 10 nor a multiple of 10 plus 2 (not G.729 A/B, e.g. a G.729D
/// frame) has its remainder decoded as one erased frame, so time keeps its length and nothing throws.</para>
/// <para>Needs the native bcg729 (<see cref="G729Codec.LibraryName"/>); the constructor throws
/// <see cref="DllNotFoundException"/> naming the library and package when it is missing. Nothing here allocates per frame.</para>
/// </summary>
public sealed unsafe class G729Decoder : IAudioDecoder, IDisposable
{
    private readonly Bcg729Library _lib;
    private readonly Bcg729Handle _handle;

    /// <exception cref="DllNotFoundException">bcg729 is not installed; the message names the library and package.</exception>
    public G729Decoder()
        : this(Bcg729Library.Default)
    {
    }

    internal G729Decoder(Bcg729Library library)
    {
        _lib = library;
        _handle = Bcg729Handle.CreateDecoder(library);
    }

    public string Name => "G729";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    /// <summary>80 samples per 10-byte frame, plus 80 for a trailing SID frame (or unparseable remainder).</summary>
    public int GetSampleCount(ReadOnlySpan<byte> payload) => FrameCount(payload.Length) * G729Codec.FrameSamples;

    /// <summary>Decodes the speech frames and the optional trailing SID frame of <paramref name="payload"/>.</summary>
    /// <returns>Samples written (80 per frame).</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is smaller than <see cref="GetSampleCount"/>.</exception>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        int frames = FrameCount(payload.Length);
        int samples = frames * G729Codec.FrameSamples;
        if (pcm.Length < samples)
        {
            throw new ArgumentException($"G.729 decodes 80 samples per frame: {payload.Length} bytes are {frames} frames, room for {pcm.Length} samples.", nameof(pcm));
        }

        int speech = payload.Length / G729Codec.FrameBytes;
        int rest = payload.Length - (speech * G729Codec.FrameBytes);
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            nint ctx = _handle.DangerousGetHandle();
            fixed (byte* input = payload)
            fixed (short* output = pcm)
            {
                for (int f = 0; f < speech; f++)
                {
                    _lib.Decode(ctx, input + (f * G729Codec.FrameBytes), G729Codec.FrameBytes, 0, 0, 0, output + (f * G729Codec.FrameSamples));
                }

                short* last = output + (speech * G729Codec.FrameSamples);
                if (rest == G729Codec.SidFrameBytes)
                {
                    _lib.Decode(ctx, input + (speech * G729Codec.FrameBytes), G729Codec.SidFrameBytes, 0, 1, 0, last);
                }
                else if (rest != 0)
                {
                    _lib.Decode(ctx, null, 0, 1, 0, 0, last);
                }
            }
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }

        return samples;
    }

    /// <summary>Fills <paramref name="pcm"/> by G.729 frame erasure, 10 ms at a time (a final partial frame is cut
    /// from a whole one): extrapolated speech after speech, comfort noise after a SID frame.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public void Conceal(Span<short> pcm)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            nint ctx = _handle.DangerousGetHandle();
            int whole = pcm.Length / G729Codec.FrameSamples;
            fixed (short* output = pcm)
            {
                for (int f = 0; f < whole; f++)
                {
                    _lib.Decode(ctx, null, 0, 1, 0, 0, output + (f * G729Codec.FrameSamples));
                }
            }

            int tail = pcm.Length - (whole * G729Codec.FrameSamples);
            if (tail > 0)
            {
                short* scratch = stackalloc short[G729Codec.FrameSamples];
                _lib.Decode(ctx, null, 0, 1, 0, 0, scratch);
                new ReadOnlySpan<short>(scratch, tail).CopyTo(pcm[(whole * G729Codec.FrameSamples)..]);
            }
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    /// <summary>Frees the native decoder state.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The bcg729 decoder context this wrapper drives (for the benchmark's direct-call baseline, which
    /// must run the same native state).</summary>
    internal nint NativeContext => _handle.DangerousGetHandle();

    public override string ToString() => "G729 decoder";

    private static int FrameCount(int length)
    {
        int speech = length / G729Codec.FrameBytes;
        return length % G729Codec.FrameBytes == 0 ? speech : speech + 1;
    }
}
