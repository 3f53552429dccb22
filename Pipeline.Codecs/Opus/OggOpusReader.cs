using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// Reads the Opus packets of an Ogg Opus file (RFC 7845). The constructor reads and checks the two headers
/// (<c>OpusHead</c>: <see cref="Channels"/>, <see cref="PreSkip"/>, <see cref="InputSampleRate"/>, <see cref="OutputGain"/>;
/// <c>OpusTags</c>: <see cref="Vendor"/>, <see cref="Comments"/>); <see cref="TryReadPacket"/> then returns the audio
/// packets in order, joined across pages where a packet continues. Every page's CRC is checked.
/// <code>
///   Stream ─► Ogg pages (CRC, serial, continuation) ─► packets ─► OpusHead, OpusTags, audio packets…
/// </code>
/// <para>Pages of other logical streams (another serial number) are skipped; the stream ends at the page flagged
/// end-of-stream (a chained file's later links are not read) or at the end of the input.
/// Only channel mapping family 0 (mono/stereo, one Opus stream) is decodable by <see cref="OpusDecoder"/>;
/// other families are reported by <see cref="ChannelMappingFamily"/>. Not thread-safe.</para>
/// <para><b>Trimming.</b> A decoder drops the first <see cref="PreSkip"/> samples (at 48 kHz) of the decoded audio; at the
/// end, once <see cref="FinalGranulePosition"/> is known, the audio is <c>FinalGranulePosition - PreSkip</c> samples
/// long (RFC 7845 §4.4). <see cref="OggOpusFile.Read"/> does both.</para>
/// </summary>
public sealed class OggOpusReader : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _pageHeader = new byte[27 + 255];
    private readonly byte[] _body = new byte[255 * 255];
    private byte[] _packet = new byte[4096];
    private int _packetLength;
    private uint _serial;
    private bool _haveSerial;
    private int _segments;
    private int _segment;
    private int _bodyOffset;
    private int _lastCompleteSegment;
    private long _pageGranule;
    private byte _pageFlags;
    private uint _expectedSequence;
    private bool _eos;
    private bool _inputEnded;

    /// <summary>Opens an Ogg Opus stream and reads its headers.</summary>
    /// <exception cref="InvalidDataException">Not an Ogg Opus stream, a bad header or a bad page CRC.</exception>
    public OggOpusReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream of an Ogg Opus file must be readable.", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;

        if (!ReadPage(requireBos: true))
        {
            throw new InvalidDataException(PageCount == 0
                ? "The stream is empty: no Ogg page."
                : "No Opus stream in this Ogg stream (no beginning-of-stream page with an OpusHead): not an Ogg Opus file.");
        }

        if (!TryReadRawPacket(out var head)) throw new InvalidDataException("The first Ogg page holds no complete packet; an OpusHead was expected.");
        ParseHead(head.Span);
        if (!TryReadRawPacket(out var tags)) throw new InvalidDataException("The stream ends before its OpusTags header.");
        ParseTags(tags.Span);
    }

    /// <summary>Output channels (OpusHead).</summary>
    public int Channels { get; private set; }

    /// <summary>48 kHz samples to drop at the start of the decoded audio (OpusHead).</summary>
    public int PreSkip { get; private set; }

    /// <summary>The rate of the audio before it was encoded, in Hz; 0 when unspecified (OpusHead).</summary>
    public int InputSampleRate { get; private set; }

    /// <summary>Gain to apply to the decoded audio in Q7.8 dB (OpusHead); not applied by <see cref="OggOpusFile.Read"/>.</summary>
    public short OutputGain { get; private set; }

    /// <summary>Channel mapping family (OpusHead): 0 is mono/stereo in one Opus stream.</summary>
    public int ChannelMappingFamily { get; private set; }

    /// <summary>The vendor string (OpusTags), e.g. <c>Lavf…</c> from ffmpeg.</summary>
    public string Vendor { get; private set; } = string.Empty;

    /// <summary>User comments (OpusTags), as <c>NAME=value</c>.</summary>
    public IReadOnlyList<string> Comments { get; private set; } = [];

    /// <summary>The granule position of the end-of-stream page, once reached: pre-skip plus the audio length in 48 kHz samples.</summary>
    public long? FinalGranulePosition { get; private set; }

    /// <summary>Pages read so far (all of this stream).</summary>
    public long PageCount { get; private set; }

    /// <summary>Reads the next audio packet.</summary>
    /// <param name="packet">The packet; its memory is valid until the next call.</param>
    /// <param name="granulePosition">The page's granule position when this packet is the last one completed on its page
    /// (the 48 kHz sample count up to the end of this packet, pre-skip included); -1 otherwise.</param>
    /// <returns>False at the end of the stream.</returns>
    /// <exception cref="InvalidDataException">A bad page (CRC, structure).</exception>
    public bool TryReadPacket(out ReadOnlyMemory<byte> packet, out long granulePosition)
    {
        while (true)
        {
            if (TryNextFromPage(out packet, out granulePosition)) return true;
            if (_eos || _inputEnded || !ReadPage(requireBos: false))
            {
                packet = default;
                granulePosition = -1;
                return false;
            }
        }
    }

    /// <summary>Reads the next audio packet (see the other overload).</summary>
    public bool TryReadPacket(out ReadOnlyMemory<byte> packet) => TryReadPacket(out packet, out _);

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private bool TryReadRawPacket(out ReadOnlyMemory<byte> packet) => TryReadPacket(out packet, out _);

    /// <summary>Takes the next complete packet from the current page (keeping a partial one for the next page).</summary>
    private bool TryNextFromPage(out ReadOnlyMemory<byte> packet, out long granule)
    {
        while (_segment < _segments)
        {
            int len = _pageHeader[27 + _segment];
            AppendToPacket(_body.AsSpan(_bodyOffset, len));
            _bodyOffset += len;
            int index = _segment++;
            if (len < 255)
            {
                packet = _packet.AsMemory(0, _packetLength);
                _packetLength = 0;
                granule = index == _lastCompleteSegment ? _pageGranule : -1;
                return true;
            }
        }

        packet = default;
        granule = -1;
        return false;
    }

    private void AppendToPacket(ReadOnlySpan<byte> data)
    {
        if (_packetLength + data.Length > _packet.Length)
        {
            if (_packetLength + data.Length > 1 << 20) throw new InvalidDataException("An Ogg packet longer than 1 MiB: not an Opus stream.");
            Array.Resize(ref _packet, Math.Max(_packet.Length * 2, _packetLength + data.Length));
        }

        data.CopyTo(_packet.AsSpan(_packetLength));
        _packetLength += data.Length;
    }

    /// <summary>Reads the next page of our logical stream; false at the end of the input.</summary>
    private bool ReadPage(bool requireBos)
    {
        while (true)
        {
            var h = _pageHeader.AsSpan();
            int got = ReadFully(h[..27]);
            if (got == 0)
            {
                _inputEnded = true;
                return false;
            }

            if (got < 4 || !h[..4].SequenceEqual("OggS"u8)) throw new InvalidDataException($"Expected an Ogg page ('OggS') at page {PageCount}; found other bytes: not an Ogg stream, or a damaged one.");
            if (got < 27) throw new InvalidDataException($"The stream ends inside an Ogg page header (page {PageCount}).");
            if (h[4] != 0) throw new InvalidDataException($"Ogg page version {h[4]} is unknown (only 0 exists).");
            byte flags = h[5];
            long granule = BinaryPrimitives.ReadInt64LittleEndian(h[6..]);
            uint serial = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[22..]);
            int segments = h[26];
            if (ReadFully(h.Slice(27, segments)) < segments) throw new InvalidDataException("The stream ends inside an Ogg lacing table.");
            int bodyLength = 0;
            for (int i = 0; i < segments; i++) bodyLength += h[27 + i];
            if (ReadFully(_body.AsSpan(0, bodyLength)) < bodyLength) throw new InvalidDataException($"The stream ends inside an Ogg page body (page {PageCount}, {bodyLength} bytes expected).");

            h[22] = h[23] = h[24] = h[25] = 0;
            uint actual = OggCrc.Update(OggCrc.Update(0, h[..(27 + segments)]), _body.AsSpan(0, bodyLength));
            BinaryPrimitives.WriteUInt32LittleEndian(h[22..], crc);
            if (actual != crc) throw new InvalidDataException($"Ogg page {sequence} of stream {serial:X8} has a bad CRC (0x{crc:X8} stored, 0x{actual:X8} computed).");

            if (requireBos)
            {
                if ((flags & 0x02) == 0) throw new InvalidDataException("The first Ogg page is not a beginning-of-stream page.");
                if (bodyLength < 8 || !_body.AsSpan(0, 8).SequenceEqual("OpusHead"u8))
                {
                    // A multiplexed file may start with another stream's BOS page; look at the next one.
                    if (PageCount++ > 64) throw new InvalidDataException("No Opus stream among the first beginning-of-stream pages: not an Ogg Opus file.");
                    continue;
                }

                _serial = serial;
                _haveSerial = true;
                _expectedSequence = sequence;
                requireBos = false;
            }
            else if (!_haveSerial || serial != _serial)
            {
                continue; // another logical stream
            }

            // A packet left open by the previous page goes on here only if this page continues it without a gap;
            // otherwise it is dropped, and the tail of a packet whose start we never saw is skipped.
            bool continued = (flags & 0x01) != 0;
            if (!continued || sequence != _expectedSequence) _packetLength = 0;
            bool skipContinued = continued && _packetLength == 0;
            _expectedSequence = sequence + 1;
            PageCount++;
            _pageFlags = flags;
            _pageGranule = granule;
            _segments = segments;
            _segment = 0;
            _bodyOffset = 0;
            _lastCompleteSegment = -1;
            for (int i = segments - 1; i >= 0; i--)
            {
                if (h[27 + i] < 255)
                {
                    _lastCompleteSegment = i;
                    break;
                }
            }

            if (skipContinued)
            {
                // The start of the continued packet was lost: skip its remaining segments.
                while (_segment < _segments)
                {
                    int len = h[27 + _segment++];
                    _bodyOffset += len;
                    if (len < 255) break;
                }
            }

            if ((_pageFlags & 0x04) != 0)
            {
                _eos = true;
                FinalGranulePosition = granule;
            }

            return true;
        }
    }

    private int ReadFully(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }

        return total;
    }

    private void ParseHead(ReadOnlySpan<byte> p)
    {
        if (p.Length < 19 || !p[..8].SequenceEqual("OpusHead"u8)) throw new InvalidDataException("The first packet is not an OpusHead header: not an Ogg Opus file.");
        if ((p[8] >> 4) != 0) throw new InvalidDataException($"OpusHead version {p[8]} is not supported (major version 0 only, RFC 7845 §5.1).");
        Channels = p[9];
        if (Channels == 0) throw new InvalidDataException("OpusHead says 0 channels.");
        PreSkip = BinaryPrimitives.ReadUInt16LittleEndian(p[10..]);
        InputSampleRate = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(p[12..]), int.MaxValue);
        OutputGain = BinaryPrimitives.ReadInt16LittleEndian(p[16..]);
        ChannelMappingFamily = p[18];
        if (ChannelMappingFamily == 0 && Channels > 2) throw new InvalidDataException($"OpusHead: mapping family 0 allows 1 or 2 channels, not {Channels}.");
    }

    private void ParseTags(ReadOnlySpan<byte> p)
    {
        if (p.Length < 16 || !p[..8].SequenceEqual("OpusTags"u8)) throw new InvalidDataException("The second packet is not an OpusTags header.");
        int pos = 8;
        uint vendorLength = BinaryPrimitives.ReadUInt32LittleEndian(p[pos..]);
        pos += 4;
        if (vendorLength > p.Length - pos - 4) throw new InvalidDataException("OpusTags: the vendor string runs past the header.");
        Vendor = Encoding.UTF8.GetString(p.Slice(pos, (int)vendorLength));
        pos += (int)vendorLength;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(p[pos..]);
        pos += 4;
        var comments = new List<string>();
        for (uint i = 0; i < count; i++)
        {
            if (p.Length - pos < 4) throw new InvalidDataException("OpusTags: a comment length runs past the header.");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(p[pos..]);
            pos += 4;
            if (len > p.Length - pos) throw new InvalidDataException("OpusTags: a comment runs past the header.");
            comments.Add(Encoding.UTF8.GetString(p.Slice(pos, (int)len)));
            pos += (int)len;
        }

        Comments = comments;
    }
}
