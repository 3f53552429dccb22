using BenchmarkDotNet.Attributes;
using Pipeline.Core.Media;
using Pipeline.Core.Rtp;

namespace Pipeline.Benchmarks;

/// <summary>RTP parse and write of a 172-byte G.711 packet (12-byte header + 160 bytes = 20 ms at 8 kHz). Must allocate 0 B.</summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    private readonly byte[] _wire = new byte[172];
    private readonly byte[] _out = new byte[1500];
    private readonly byte[] _rtcp = new byte[512];
    private RtpPacket _packet = null!;
    private RtpReceiveState _state = null!;
    private ushort _seq;

    [GlobalSetup]
    public void Setup()
    {
        _packet = RtpPacket.Rent();
        _packet.PayloadType = 8;
        _packet.SequenceNumber = 1000;
        _packet.Timestamp = new RtpTimestamp(160_000);
        _packet.Ssrc = 0x12345678;
        for (int i = 0; i < 160; i++) _packet.PayloadBuffer[i] = (byte)(i * 7);
        _packet.SetPayloadLength(160);
        if (_packet.Write(_wire) != 172) throw new InvalidOperationException("setup: packet is not 172 bytes");
        _state = new RtpReceiveState(0x12345678);
    }

    [GlobalCleanup]
    public void Cleanup() => _packet.Dispose();

    /// <summary>Zero-copy header view: validate and read the fields.</summary>
    [Benchmark]
    public int RtpHeaderView()
    {
        if (!RtpHeader.TryRead(_wire, out var h)) return -1;
        return h.SequenceNumber + h.PayloadType + h.Payload.Length + (int)h.Ssrc;
    }

    /// <summary>Pooled packet: rent, parse (copies payload), return.</summary>
    [Benchmark]
    public int RtpPacketParse()
    {
        if (!RtpPacket.TryParse(_wire, out var p)) return -1;
        int n = p.PayloadLength + p.SequenceNumber;
        p.Dispose();
        return n;
    }

    [Benchmark]
    public int RtpPacketWrite()
    {
        _packet.SequenceNumber++;
        return _packet.Write(_out);
    }

    /// <summary>A.1 sequence tracking and A.8 jitter for one arrival.</summary>
    [Benchmark]
    public bool RtpReceiveStatisticsUpdate()
    {
        _seq++;
        return _state.Update(_seq, (uint)_seq * 160, (uint)_seq * 161);
    }

    [Benchmark]
    public int RtcpCompoundWriteAndValidate()
    {
        var w = new RtcpWriter(_rtcp);
        w.WriteSenderReport(1, new RtcpSenderInfo(new NtpTimestamp(0x1234567890ABCDEF), 1, 2, 3), [new RtcpReportBlock(2, 0, 0, 100, 3, 0, 0)]);
        w.WriteSdesCname(1, "pipeline@example"u8);
        return RtcpCompoundReader.Validate(w.Written) ? w.Length : -1;
    }
}
