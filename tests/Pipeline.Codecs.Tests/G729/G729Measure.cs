using Pipeline.Devices;

namespace Pipeline.Codecs.Tests.G729;

internal static class G729Measure
{
    /// <summary>Best normalised correlation of <paramref name="decoded"/> against <paramref name="reference"/> over
    /// lags up to 20 ms, skipping the first 100 ms (codec start-up).</summary>
    public static (int Lag, double Correlation) Aligned(ReadOnlySpan<short> reference, ReadOnlySpan<short> decoded)
    {
        const int skip = 800;
        int n = Math.Min(reference.Length, decoded.Length) - skip;
        return AudioAnalysis.BestLag(reference.Slice(skip, n), decoded.Slice(skip, n), 160);
    }

    /// <summary>Decodes a sequence of RTP-style payloads the way a receiver would: an empty payload (DTX, nothing
    /// sent) and the untransmitted rest of a short payload are concealed, so the output keeps the timeline.</summary>
    public static short[] DecodeTimeline(IAudioDecoder decoder, IReadOnlyList<byte[]> payloads, int samplesPerPayload)
    {
        var output = new short[payloads.Count * samplesPerPayload];
        for (int i = 0; i < payloads.Count; i++)
        {
            var slot = output.AsSpan(i * samplesPerPayload, samplesPerPayload);
            int got = payloads[i].Length == 0 ? 0 : decoder.Decode(payloads[i], slot);
            if (got < samplesPerPayload) decoder.Conceal(slot[got..]);
        }

        return output;
    }
}
