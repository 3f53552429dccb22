namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 A-law encoder (rtpmap <c>PCMA/8000</c>, static payload type 8).</summary>
public sealed class ALawEncoder() : G711Encoder(muLaw: false);
