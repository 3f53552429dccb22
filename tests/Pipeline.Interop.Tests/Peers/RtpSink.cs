using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// A passive RTP receiver on 127.0.0.1 (RTP on <see cref="Port"/>, RTCP on Port + 1) that records
/// every packet, so a test can check what a peer (our CLI) puts on the wire: payload type, SSRC,
/// sequence continuity, timestamp steps, marker bit, and the audio itself (<see cref="WriteWav"/>
/// decodes G.711 into a WAV for <see cref="ToneCheck"/>). Point a peer at it through an SDP, e.g.
/// SIPp with <see cref="SippOptions.SdpMediaPort"/> = <see cref="Port"/>.
/// </summary>
internal sealed class RtpSink : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<RtpPacketInfo> _packets = [];
    private readonly List<byte[]> _rtcp = [];
    private readonly Socket _rtpSocket;
    private readonly Socket _rtcpSocket;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _rtpLoop;
    private readonly Task _rtcpLoop;

    private RtpSink(Socket rtp, Socket rtcp)
    {
        _rtpSocket = rtp;
        _rtcpSocket = rtcp;
        Port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
        _rtpLoop = Task.Run(() => ReceiveLoopAsync(_rtpSocket, isRtcp: false));
        _rtcpLoop = Task.Run(() => ReceiveLoopAsync(_rtcpSocket, isRtcp: true));
    }

    /// <summary>The RTP port (even); RTCP is Port + 1.</summary>
    public int Port { get; }

    /// <summary>Snapshot of the RTP packets received, in arrival order.</summary>
    public IReadOnlyList<RtpPacketInfo> Packets
    {
        get
        {
            lock (_gate)
            {
                return [.. _packets];
            }
        }
    }

    /// <summary>Number of RTCP datagrams received on Port + 1.</summary>
    public int RtcpCount
    {
        get
        {
            lock (_gate)
            {
                return _rtcp.Count;
            }
        }
    }

    /// <summary>Binds an RTP/RTCP port pair on 127.0.0.1 (retrying on a race) and starts receiving.</summary>
    public static RtpSink Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePorts.RtpPair();
            var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                rtp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                rtcp.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return new RtpSink(rtp, rtcp);
            }
            catch (SocketException) when (attempt < 5)
            {
                rtp.Dispose();
                rtcp.Dispose();
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> RTP packets arrived; throws with a summary on timeout.</summary>
    public async Task WaitForPacketsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Packets.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new PeerException($"RtpSink :{Port}: expected {count} RTP packets within {timeout.TotalSeconds:0.#} s; {Summary()}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Decodes the G.711 payloads (PT 0 = µ-law, PT 8 = A-law) in sequence order into PCM16, placing
    /// each packet at its RTP timestamp relative to the first (gaps become silence), and writes an
    /// 8 kHz WAV. Returns the path.
    /// </summary>
    public string WriteWav(string path)
    {
        var packets = Packets.Where(p => p.PayloadType is 0 or 8).ToList();
        if (packets.Count == 0)
        {
            TestAudio.WriteWav(path, [], 8000, WavEncoding.Pcm16);
            return path;
        }

        var ssrc = packets[0].Ssrc;
        packets = packets.Where(p => p.Ssrc == ssrc).ToList();
        var first = packets[0].Timestamp;
        long end = 0;
        foreach (var p in packets)
        {
            end = Math.Max(end, (long)(int)(p.Timestamp - first) + p.Payload.Length);
        }

        var samples = new short[Math.Clamp(end, 0, 8000L * 600)];
        foreach (var p in packets)
        {
            long at = (int)(p.Timestamp - first);
            for (var i = 0; i < p.Payload.Length; i++)
            {
                if (at + i >= 0 && at + i < samples.Length)
                {
                    samples[at + i] = p.PayloadType == 8 ? TestG711.ALawToLinear(p.Payload[i]) : TestG711.MuLawToLinear(p.Payload[i]);
                }
            }
        }

        TestAudio.WriteWav(path, samples, 8000, WavEncoding.Pcm16);
        return path;
    }

    /// <summary>
    /// A one-line summary for assertion messages: packets, SSRCs, payload types, sequence gaps,
    /// timestamp steps, markers, RTCP count.
    /// </summary>
    public string Summary()
    {
        var packets = Packets;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{packets.Count} RTP packets");
        if (packets.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" from {packets[0].From}; SSRCs {string.Join(",", packets.Select(p => p.Ssrc.ToString("x8", CultureInfo.InvariantCulture)).Distinct())}");
            sb.Append(CultureInfo.InvariantCulture, $"; PTs {string.Join(",", packets.Select(p => p.PayloadType).Distinct())}");
            sb.Append(CultureInfo.InvariantCulture, $"; sequence gaps {SequenceGaps()}; markers {packets.Count(p => p.Marker)}");
            var steps = new SortedDictionary<long, int>();
            for (var i = 1; i < packets.Count; i++)
            {
                var step = (long)(int)(packets[i].Timestamp - packets[i - 1].Timestamp);
                steps[step] = steps.GetValueOrDefault(step) + 1;
            }

            sb.Append("; timestamp steps ").Append(string.Join(" ", steps.Select(kv => $"{kv.Key}x{kv.Value}")));
            sb.Append(CultureInfo.InvariantCulture, $"; payload sizes {string.Join(",", packets.Select(p => p.Payload.Length).Distinct())}");
        }

        sb.Append(CultureInfo.InvariantCulture, $"; {RtcpCount} RTCP");
        return sb.ToString();
    }

    /// <summary>Number of sequence numbers missing between consecutive packets of the first SSRC (arrival order, 16-bit wrap aware).</summary>
    public int SequenceGaps()
    {
        var packets = Packets;
        if (packets.Count == 0)
        {
            return 0;
        }

        var ssrc = packets[0].Ssrc;
        var gaps = 0;
        ushort? last = null;
        foreach (var p in packets)
        {
            if (p.Ssrc != ssrc)
            {
                continue;
            }

            if (last is { } l)
            {
                var d = (ushort)(p.Sequence - l);
                if (d > 1 && d < 0x8000)
                {
                    gaps += d - 1;
                }
            }

            last = p.Sequence;
        }

        return gaps;
    }

    /// <summary>Stops receiving and closes the sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        _rtpSocket.Dispose();
        _rtcpSocket.Dispose();
        try
        {
            await Task.WhenAll(_rtpLoop, _rtcpLoop).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or SocketException or ObjectDisposedException)
        {
        }

        _cts.Dispose();
    }

    private async Task ReceiveLoopAsync(Socket socket, bool isRtcp)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_cts.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable etc.
            }

            var data = buffer.AsSpan(0, r.ReceivedBytes);
            if (isRtcp)
            {
                lock (_gate)
                {
                    _rtcp.Add(data.ToArray());
                }

                continue;
            }

            if (TryParse(data, (IPEndPoint)r.RemoteEndPoint, out var packet))
            {
                lock (_gate)
                {
                    _packets.Add(packet);
                }
            }
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> d, IPEndPoint from, out RtpPacketInfo packet)
    {
        packet = null!;
        if (d.Length < 12 || (d[0] >> 6) != 2)
        {
            return false;
        }

        var csrcCount = d[0] & 0x0F;
        var offset = 12 + (4 * csrcCount);
        if ((d[0] & 0x10) != 0)
        {
            if (d.Length < offset + 4)
            {
                return false;
            }

            offset += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(d[(offset + 2)..]));
        }

        var end = d.Length;
        if ((d[0] & 0x20) != 0 && end > offset)
        {
            end -= d[end - 1];
        }

        if (offset > end)
        {
            return false;
        }

        packet = new RtpPacketInfo(
            DateTime.UtcNow,
            from,
            d[1] & 0x7F,
            (d[1] & 0x80) != 0,
            BinaryPrimitives.ReadUInt16BigEndian(d[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[8..]),
            d[offset..end].ToArray());
        return true;
    }
}
