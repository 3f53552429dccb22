using Pipeline.Core.Media;

namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 encoder, μ-law or A-law: one byte per 8 kHz mono sample, bit-exact with the
/// G.191 reference. Stateless and allocation-free. Use <see cref="MuLawEncoder"/> or <see cref="ALawEncoder"/>.</summary>
public abstract class G711Encoder : IAudioEncoder
{
    private readonly bool _muLaw;

    private protected G711Encoder(bool muLaw) => _muLaw = muLaw;

    public string Name => _muLaw ? "PCMU" : "PCMA";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    public int GetMaxEncodedLength(int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        return samplesPerChannel;
    }

    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (payload.Length < pcm.Length)
        {
            throw new ArgumentException($"{Name} needs one payload byte per sample: {pcm.Length} samples, {payload.Length} bytes of room.", nameof(payload));
        }

        if (_muLaw)
        {
            G711Tables.EncodeMuLaw(pcm, payload);
        }
        else
        {
            G711Tables.EncodeALaw(pcm, payload);
        }

        return pcm.Length;
    }

    public override string ToString() => Name + " encoder";
}
