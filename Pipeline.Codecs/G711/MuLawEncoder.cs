using Pipeline.Core.Media;

namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 μ-law encoder (rtpmap <c>PCMU/8000</c>, static payload type 0): one byte per
/// 8 kHz mono sample, bit-exact with the G.191 reference. Stateless and allocation-free.</summary>
public sealed class MuLawEncoder : IAudioEncoder
{
    public string Name => "PCMU";

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
            throw new ArgumentException($"PCMU needs one payload byte per sample: {pcm.Length} samples, {payload.Length} bytes of room.", nameof(payload));
        }

        G711Tables.EncodeMuLaw(pcm, payload);
        return pcm.Length;
    }

    public override string ToString() => "PCMU encoder";
}
