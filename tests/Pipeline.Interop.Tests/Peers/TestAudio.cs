using System.Buffers.Binary;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Writes and reads the small WAV files the interop tests feed to and get back from peers.
/// Self-contained on purpose (no sox, no dependency on the library under test), so a harness
/// failure never hides behind a bug in our own codecs.
/// </summary>
internal static class TestAudio
{
    /// <summary>
    /// Writes a mono sine tone WAV. Defaults match G.711 peers: 8 kHz, amplitude 0.5 of full scale.
    /// A short fade in/out avoids clicks that would smear the spectrum.
    /// </summary>
    public static string WriteToneWav(string path, double hz, TimeSpan duration, WavEncoding encoding = WavEncoding.Pcm16, int sampleRate = 8000, double amplitude = 0.5, int channels = 1)
    {
        var n = (int)(duration.TotalSeconds * sampleRate);
        var samples = new short[n];
        var fade = Math.Min(n / 2, sampleRate / 100);
        for (var i = 0; i < n; i++)
        {
            var gain = amplitude;
            if (i < fade)
            {
                gain *= (double)i / fade;
            }
            else if (i >= n - fade)
            {
                gain *= (double)(n - 1 - i) / fade;
            }

            samples[i] = (short)Math.Round(Math.Sin(2 * Math.PI * hz * i / sampleRate) * gain * short.MaxValue);
        }

        if (channels > 1)
        {
            var interleaved = new short[n * channels];
            for (var i = 0; i < interleaved.Length; i++) interleaved[i] = samples[i / channels];
            samples = interleaved;
        }

        WriteWav(path, samples, sampleRate, encoding, channels);
        return path;
    }

    /// <summary>Writes samples (interleaved when <paramref name="channels"/> is more than 1) as a WAV file in the given encoding.</summary>
    public static void WriteWav(string path, ReadOnlySpan<short> samples, int sampleRate, WavEncoding encoding, int channels = 1)
    {
        var bytesPerSample = encoding == WavEncoding.Pcm16 ? 2 : 1;
        var dataBytes = samples.Length * bytesPerSample;
        var pcm = encoding == WavEncoding.Pcm16;

        // PCM: 16-byte fmt chunk. G.711: 18-byte fmt (cbSize = 0) plus a fact chunk, as RIFF requires for non-PCM.
        var fmtSize = pcm ? 16 : 18;
        var factSize = pcm ? 0 : 12;
        var header = 12 + 8 + fmtSize + factSize + 8;
        var buf = new byte[header + dataBytes];
        var s = buf.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], buf.Length - 8);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], fmtSize);
        var tag = encoding switch { WavEncoding.Pcm16 => 1, WavEncoding.ALaw => 6, _ => 7 };
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], (short)tag);
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * bytesPerSample * channels);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], (short)(bytesPerSample * channels));
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], (short)(bytesPerSample * 8));
        var o = 36;
        if (!pcm)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[36..], 0);
            "fact"u8.CopyTo(s[38..]);
            BinaryPrimitives.WriteInt32LittleEndian(s[42..], 4);
            BinaryPrimitives.WriteInt32LittleEndian(s[46..], samples.Length / channels);
            o = 50;
        }

        "data"u8.CopyTo(s[o..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[(o + 4)..], dataBytes);
        o += 8;
        for (var i = 0; i < samples.Length; i++)
        {
            switch (encoding)
            {
                case WavEncoding.Pcm16:
                    BinaryPrimitives.WriteInt16LittleEndian(s[(o + (2 * i))..], samples[i]);
                    break;
                case WavEncoding.MuLaw:
                    buf[o + i] = TestG711.LinearToMuLaw(samples[i]);
                    break;
                default:
                    buf[o + i] = TestG711.LinearToALaw(samples[i]);
                    break;
            }
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllBytes(path, buf);
    }

    /// <summary>
    /// Reads one channel (default the first) of a WAV: PCM16, G.711 µ-law/A-law, or
    /// WAVE_FORMAT_EXTENSIBLE PCM16. A data chunk whose size was never finalised (0 or past the
    /// end of the file) is read to the end of the file.
    /// </summary>
    public static short[] ReadWav(string path, out int sampleRate, int channel = 0)
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 12 || !b.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !b.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path}: not a RIFF/WAVE file ({b.Length} bytes)");
        }

        int tag = 0, channels = 0, bits = 0;
        sampleRate = 0;
        var pos = 12;
        while (pos + 8 <= b.Length)
        {
            var id = b.AsSpan(pos, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(pos + 4));
            var body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                tag = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(body + 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 14));
                if (tag == 0xFFFE && size >= 40)
                {
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 24));
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (tag == 0)
                {
                    throw new InvalidDataException($"{path}: data chunk before fmt chunk");
                }

                var available = b.Length - body;
                var len = size <= 0 || size > available ? available : size;
                if (channel < 0 || channel >= Math.Max(1, channels))
                {
                    throw new ArgumentOutOfRangeException(nameof(channel), $"{path} has {channels} channel(s); channel {channel} asked");
                }

                return Decode(path, b.AsSpan(body, len), tag, channels, bits, channel);
            }

            if (size < 0)
            {
                break;
            }

            pos = body + size + (size & 1);
        }

        throw new InvalidDataException($"{path}: no data chunk");
    }

    private static short[] Decode(string path, ReadOnlySpan<byte> data, int tag, int channels, int bits, int channel)
    {
        channels = Math.Max(1, channels);
        if (tag == 1 && bits == 16)
        {
            var n = data.Length / (2 * channels);
            var r = new short[n];
            for (var i = 0; i < n; i++)
            {
                r[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(((i * channels) + channel) * 2)..]);
            }

            return r;
        }

        if ((tag == 6 || tag == 7) && bits == 8)
        {
            var n = data.Length / channels;
            var r = new short[n];
            for (var i = 0; i < n; i++)
            {
                r[i] = tag == 7 ? TestG711.MuLawToLinear(data[(i * channels) + channel]) : TestG711.ALawToLinear(data[(i * channels) + channel]);
            }

            return r;
        }

        throw new InvalidDataException($"{path}: unsupported WAV format tag {tag} with {bits} bits");
    }
}
