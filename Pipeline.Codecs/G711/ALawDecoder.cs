namespace Pipeline.Codecs.G711;

/// <summary>ITU-T G.711 A-law decoder (rtpmap <c>PCMA/8000</c>, static payload type 8).</summary>
public sealed class ALawDecoder() : G711Decoder(muLaw: false);
