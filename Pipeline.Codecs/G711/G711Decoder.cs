using Pipeline.Core.Media;

namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 decoder, μ-law or A-law: one 8 kHz mono sample per payload byte, exactly the
/// G.711 reconstruction values. <see cref="Conceal"/> produces silence: G.711 has no memory to extrapolate
/// from, and real concealment (waveform repetition, time-stretching) belongs to the jitter buffer.
/// Use <see cref="MuLawDecoder"/> or <see cref="ALawDecoder"/>.</summary>
public abstract class G711Decoder : IAudioDecoder
{
    private readonly bool _muLaw;

    private protected G711Decoder(bool muLaw) => _muLaw = muLaw;

    public string Name => _muLaw ? "PCMU" : "PCMA";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    public int GetSampleCount(ReadOnlySpan<byte> payload) => payload.Length;

    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length)
        {
            throw new ArgumentException($"{Name} decodes one sample per payload byte: {payload.Length} bytes, room for {pcm.Length} samples.", nameof(pcm));
        }

        if (_muLaw)
        {
            G711Tables.DecodeMuLaw(payload, pcm);
        }
        else
        {
            G711Tables.DecodeALaw(payload, pcm);
        }

        return payload.Length;
    }

    public void Conceal(Span<short> pcm) => pcm.Clear();

    public override string ToString() => Name + " decoder";
}
