using Pipeline.Core.Media;

namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 A-law decoder (rtpmap <c>PCMA/8000</c>, static payload type 8): one 8 kHz mono
/// sample per byte, to the G.711 reconstruction levels. Stateless and allocation-free.
/// <see cref="Conceal"/> produces silence: G.711 has no memory to extrapolate from, and real
/// concealment (waveform repetition, time-stretching) belongs to the jitter buffer.</summary>
public sealed class ALawDecoder : IAudioDecoder
{
    public string Name => "PCMA";

    public SampleRate SampleRate => SampleRate.Hz8000;

    public RtpClockRate RtpClockRate => new(8000);

    public int Channels => 1;

    public int GetSampleCount(ReadOnlySpan<byte> payload) => payload.Length;

    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length)
        {
            throw new ArgumentException($"PCMA decodes one sample per payload byte: {payload.Length} bytes, room for {pcm.Length} samples.", nameof(pcm));
        }

        G711Tables.DecodeALaw(payload, pcm);
        return payload.Length;
    }

    /// <summary>Fills <paramref name="pcm"/> with silence.</summary>
    public void Conceal(Span<short> pcm) => pcm.Clear();

    public override string ToString() => "PCMA decoder";
}
