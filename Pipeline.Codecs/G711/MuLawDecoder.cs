using Pipeline.Core.Media;

namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 μ-law decoder (rtpmap <c>PCMU/8000</c>, static payload type 0): one 8 kHz mono
/// sample per byte, to the G.711 reconstruction levels. Stateless and allocation-free.
/// <see cref="Conceal"/> produces silence: G.711 has no memory to extrapolate from, and real
/// concealment (waveform repetition, time-stretching) belongs to the jitter buffer.</summary>
public sealed class MuLawDecoder : IAudioDecoder
{
    public string Name => "PCMU";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    public int GetSampleCount(ReadOnlySpan<byte> payload) => payload.Length;

    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length)
        {
            throw new ArgumentException($"PCMU decodes one sample per payload byte: {payload.Length} bytes, room for {pcm.Length} samples.", nameof(pcm));
        }

        G711Tables.DecodeMuLaw(payload, pcm);
        return payload.Length;
    }

    /// <summary>Fills <paramref name="pcm"/> with silence.</summary>
    public void Conceal(Span<short> pcm) => pcm.Clear();

    public override string ToString() => "PCMU decoder";
}
