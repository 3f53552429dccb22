namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 μ-law encoder (rtpmap <c>PCMU/8000</c>, static payload type 0).</summary>
public sealed class MuLawEncoder() : G711Encoder(muLaw: true);
