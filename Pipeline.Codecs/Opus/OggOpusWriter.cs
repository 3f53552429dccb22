using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// Writes an Ogg Opus file (RFC 7845): a BOS page with the <c>OpusHead</c> header (channels, pre-skip, input rate),
/// a page with <c>OpusTags</c>, then the Opus packets on pages whose granule position counts 48 kHz samples
/// (pre-skip included), the last page flagged end-of-stream. Each page carries its CRC (RFC 3533).
/// <code>
///   WritePacket(packet, samples48k) ─► [page buffer: up to ~1 s or 255 lacing values] ─► Ogg page ─► Stream
///   Finish()/Dispose()              ─► last page with the EOS flag and the final granule position
/// </code>
/// <para>Channel mapping family 0 (mono or stereo, one Opus stream). Not thread-safe. The stream is disposed with the
/// writer unless <c>leaveOpen</c>.</para>
/// </summary>
public sealed class OggOpusWriter : IDisposable, IAsyncDisposable
{
    private const int MaxSegments = 255;
    private const int TargetPageBytes = 4096;
    private const long MaxPageGranule = 48000; // close a page after about a second of audio

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly uint _serial;
    private readonly byte[] _body = new byte[MaxSegments * 255];
    private readonly byte[] _lacing = new byte[MaxSegments];
    private readonly byte[] _header = new byte[27 + MaxSegments];
    private int _bodyLength;
    private int _segments;
    private int _packetsOnPage;
    private long _pageStartGranule;
    private uint _sequence;
    private long _granule;
    private bool _finished;

    /// <summary>Starts a file: writes the OpusHead and OpusTags pages.</summary>
    /// <param name="stream">Where the file goes (written sequentially; no seeking).</param>
    /// <param name="channels">1 or 2.</param>
    /// <param name="inputSampleRate">The rate of the audio before encoding, in Hz (informational for players; RFC 7845 §5.1).</param>
    /// <param name="preSkip">48 kHz samples a decoder drops at the start: the encoder's look-ahead (<see cref="OpusEncoder.PreSkip"/>).</param>
    /// <param name="leaveOpen">True to leave <paramref name="stream"/> open when the writer is disposed.</param>
    /// <param name="vendor">The vendor string in OpusTags.</param>
    /// <param name="serial">The Ogg stream serial number; null picks a random one.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range (named in the message).</exception>
    public OggOpusWriter(Stream stream, int channels, int inputSampleRate, int preSkip, bool leaveOpen = false, string vendor = "Pipeline", uint? serial = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(vendor);
        if (!stream.CanWrite) throw new ArgumentException("The stream for an Ogg Opus file must be writable.", nameof(stream));
        OpusEncoderOptions.ValidateChannels(channels, nameof(channels));
        if (inputSampleRate < 0) throw new ArgumentOutOfRangeException(nameof(inputSampleRate), inputSampleRate, "The input sample rate must not be negative (0 means unspecified).");
        if (preSkip is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(preSkip), preSkip, "The pre-skip is 0 to 65535 samples at 48 kHz.");
        _stream = stream;
        _leaveOpen = leaveOpen;
        _serial = serial ?? (uint)Random.Shared.Next();
        Channels = channels;
        InputSampleRate = inputSampleRate;
        PreSkip = preSkip;

        // OpusHead (RFC 7845 §5.1), alone on the first (BOS) page.
        Span<byte> head = stackalloc byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1; // version
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)inputSampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(head[16..], 0); // output gain
        head[18] = 0; // channel mapping family 0
        AddToPage(head);
        FlushPage(granule: 0, flags: 0x02);

        // OpusTags (§5.2) on its own page.
        int vendorBytes = Encoding.UTF8.GetByteCount(vendor);
        var tags = new byte[8 + 4 + vendorBytes + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendorBytes);
        Encoding.UTF8.GetBytes(vendor, tags.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(12 + vendorBytes), 0); // no user comments
        if (tags.Length > _body.Length) throw new ArgumentException("The vendor string is too long for one Ogg page.", nameof(vendor));
        AddToPage(tags);
        FlushPage(granule: 0, flags: 0);
    }

    public int Channels { get; }

    public int InputSampleRate { get; }

    public int PreSkip { get; }

    /// <summary>The granule position after the packets written so far: their total duration in 48 kHz samples
    /// (the decoded stream, pre-skip included).</summary>
    public long GranulePosition => _granule;

    /// <summary>Packets written.</summary>
    public long PacketCount { get; private set; }

    /// <summary>Appends one Opus packet.</summary>
    /// <param name="packet">One Opus packet (as an encoder returns it).</param>
    /// <param name="samples48k">Its duration in 48 kHz samples (960 for 20 ms, whatever the encoder's rate).</param>
    /// <exception cref="ArgumentException">An empty packet or one too large for an Ogg page (over 65,024 bytes).</exception>
    /// <exception cref="InvalidOperationException">After <see cref="Finish"/>.</exception>
    public void WritePacket(ReadOnlySpan<byte> packet, int samples48k)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (packet.IsEmpty) throw new ArgumentException("An Opus packet has at least one byte.", nameof(packet));
        if (packet.Length >= MaxSegments * 255) throw new ArgumentException($"A {packet.Length}-byte packet does not fit an Ogg page (Opus packets are at most 61,440 bytes).", nameof(packet));
        if (samples48k is <= 0 or > 5760) throw new ArgumentOutOfRangeException(nameof(samples48k), samples48k, "An Opus packet lasts 120 to 5760 samples at 48 kHz (2.5 to 120 ms).");

        int lacing = (packet.Length / 255) + 1;
        if (_packetsOnPage > 0 && (_segments + lacing > MaxSegments || _bodyLength + packet.Length > TargetPageBytes || _granule - _pageStartGranule >= MaxPageGranule))
        {
            FlushPage(_granule, flags: 0);
        }

        AddToPage(packet);
        _packetsOnPage++;
        _granule += samples48k;
        PacketCount++;
    }

    /// <summary>Writes the last page with the end-of-stream flag and flushes the stream. Disposing does this when not done.</summary>
    /// <param name="sampleCount48k">The true length of the audio in 48 kHz samples, when the last packet was padded: the
    /// final granule position is then pre-skip + this, so that a player trims the padding (RFC 7845 §4.4). Null: all samples count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleCount48k"/> is more than the packets hold.</exception>
    public void Finish(long? sampleCount48k = null)
    {
        if (_finished) return;
        long final = _granule;
        if (sampleCount48k is long n)
        {
            if (n < 0 || PreSkip + n > _granule || PreSkip + n < _pageStartGranule)
            {
                throw new ArgumentOutOfRangeException(nameof(sampleCount48k), n, $"The packets hold {_granule - PreSkip} samples after the pre-skip and only the last page can be trimmed; {n} cannot be the audio length.");
            }

            final = PreSkip + n;
        }

        _granule = final;
        FlushPage(final, flags: 0x04);
        _stream.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        try
        {
            Finish();
        }
        finally
        {
            _finished = true;
            if (!_leaveOpen) _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Finish();
        }
        finally
        {
            _finished = true;
            if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void AddToPage(ReadOnlySpan<byte> packet)
    {
        packet.CopyTo(_body.AsSpan(_bodyLength));
        _bodyLength += packet.Length;
        int left = packet.Length;
        while (left >= 255)
        {
            _lacing[_segments++] = 255;
            left -= 255;
        }

        _lacing[_segments++] = (byte)left; // a packet that is a multiple of 255 ends with a 0 lacing value
    }

    private void FlushPage(long granule, byte flags)
    {
        var h = _header.AsSpan(0, 27 + _segments);
        "OggS"u8.CopyTo(h);
        h[4] = 0; // version
        h[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(h[6..], granule);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], _serial);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], _sequence++);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], 0);
        h[26] = (byte)_segments;
        _lacing.AsSpan(0, _segments).CopyTo(h[27..]);
        var body = _body.AsSpan(0, _bodyLength);
        uint crc = OggCrc.Update(OggCrc.Update(0, h), body);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], crc);
        _stream.Write(h);
        _stream.Write(body);
        _bodyLength = 0;
        _segments = 0;
        _packetsOnPage = 0;
        _pageStartGranule = granule;
    }
}
