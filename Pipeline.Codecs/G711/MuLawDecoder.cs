namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 μ-law decoder (rtpmap <c>PCMU/8000</c>, static payload type 0).</summary>
public sealed class MuLawDecoder() : G711Decoder(muLaw: true);
