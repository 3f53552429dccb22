using System.Net;

namespace Pipeline.Core.Rtp;

/// <summary>Handles one received datagram. Both arguments are only valid during the call: the buffer and the
/// address are reused for the next datagram (this is what keeps the receive loop allocation-free).</summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, SocketAddress remote);
