using Pipeline.Core.Media;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// Whole-file helpers over <see cref="OggOpusWriter"/>, <see cref="OggOpusReader"/>, <see cref="OpusEncoder"/> and
/// <see cref="OpusDecoder"/>: PCM to an <c>.opus</c> file and back, with the pre-skip and end trimming of RFC 7845
/// done right. For streaming use the writer and reader directly.
/// </summary>
public static class OggOpusFile
{
    /// <summary>Encodes <paramref name="pcm"/> (interleaved, at <see cref="OpusEncoderOptions.SampleRate"/>) into an Ogg Opus
    /// stream: frames of <see cref="OpusEncoderOptions.FrameDuration"/>, the last one padded with silence and trimmed by
    /// the final granule position. The header's pre-skip is the encoder's look-ahead.</summary>
    /// <returns>The number of Opus packets written.</returns>
    /// <exception cref="ArgumentException"><paramref name="pcm"/> is not a whole number of frames of the configured channels.</exception>
    public static int Write(Stream stream, ReadOnlySpan<short> pcm, OpusEncoderOptions options, OpusImplementation implementation = OpusImplementation.Auto)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        using var encoder = OpusCodec.CreateEncoder(options, implementation);
        return Write(stream, pcm, encoder);
    }

    /// <summary>Encodes <paramref name="pcm"/> with <paramref name="encoder"/> (which keeps its settings and state) into an Ogg Opus stream.</summary>
    /// <returns>The number of Opus packets written.</returns>
    public static int Write(Stream stream, ReadOnlySpan<short> pcm, OpusEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(encoder);
        int channels = encoder.Channels;
        if (pcm.Length % channels != 0) throw new ArgumentException($"{pcm.Length} samples is not a whole number of {channels}-channel frames.", nameof(pcm));
        int rate = encoder.SampleRate.Hertz;
        int frame = encoder.FrameSamples;
        int scale = 48000 / rate;
        int length = pcm.Length / channels;

        using var writer = new OggOpusWriter(stream, channels, rate, encoder.PreSkip, leaveOpen: true, vendor: OpusCodec.GetVersion(encoder.Implementation));
        var payload = new byte[encoder.GetMaxEncodedLength(frame)];
        var block = new short[frame * channels];

        // Enough frames to cover the audio plus the look-ahead, so that the last real sample comes out of the decoder.
        int total = length + encoder.Lookahead;
        int packets = 0;
        for (int start = 0; start < total; start += frame)
        {
            int have = Math.Clamp(length - start, 0, frame);
            pcm.Slice(start * channels, have * channels).CopyTo(block);
            block.AsSpan(have * channels).Clear();
            int n = encoder.Encode(block, payload);
            writer.WritePacket(payload.AsSpan(0, n), frame * scale);
            packets++;
        }

        writer.Finish((long)length * scale);
        return packets;
    }

    /// <summary>Decodes an Ogg Opus stream to PCM at <paramref name="sampleRate"/> (8, 12, 16, 24 or 48 kHz), dropping the
    /// pre-skip and the padding past the final granule position. A damaged packet is concealed rather than fatal.</summary>
    /// <exception cref="InvalidDataException">Not an Ogg Opus stream, or a bad page.</exception>
    /// <exception cref="NotSupportedException">A channel mapping other than mono/stereo in one stream.</exception>
    public static OggOpusAudio Read(Stream stream, SampleRate sampleRate, OpusImplementation implementation = OpusImplementation.Auto)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new OggOpusReader(stream, leaveOpen: true);
        if (reader.Channels > 2) throw new NotSupportedException($"The file has {reader.Channels} channels (mapping family {reader.ChannelMappingFamily}); only mono and stereo are decoded.");
        int channels = reader.Channels;
        using var decoder = OpusCodec.CreateDecoder(sampleRate, channels, implementation);
        int scale = 48000 / sampleRate.Hertz;
        var pcm = new short[decoder.SampleRate.Hertz / 400 * 48 * channels];
        var output = new List<short>();
        long decoded48k = 0;
        while (reader.TryReadPacket(out var packet))
        {
            int n = decoder.GetSampleCount(packet.Span);
            if (n > 0)
            {
                try
                {
                    n = decoder.Decode(packet.Span, pcm);
                }
                catch (InvalidDataException)
                {
                    decoder.Conceal(pcm.AsSpan(0, n * channels));
                }

                for (int i = 0; i < n * channels; i++) output.Add(pcm[i]);
                decoded48k += (long)n * scale;
            }
        }

        long end = reader.FinalGranulePosition is long g ? Math.Min(g, decoded48k) : decoded48k;
        int skip = (int)Math.Min(reader.PreSkip, end) / scale;
        int keep = (int)Math.Max(0, (end / scale) - skip);
        var samples = output.GetRange(skip * channels, keep * channels).ToArray();
        return new OggOpusAudio(samples, sampleRate, channels, reader.InputSampleRate);
    }
}
