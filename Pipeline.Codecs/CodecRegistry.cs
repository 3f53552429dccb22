using System.Diagnostics.CodeAnalysis;
using Pipeline.Codecs.G711;
using Pipeline.Codecs.G722;
using Pipeline.Codecs.Ilbc;
using Pipeline.Codecs.Opus;
using Pipeline.Codecs.Sdp;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// The codecs an endpoint can offer, found by rtpmap name (case-insensitive), with factories for
/// their encoders and decoders. <see cref="CreateDefault"/> gives one holding PCMU (PT 0), PCMA (PT 8), G722 (PT 9), opus and iLBC.
/// Registration is thread-safe; lookups take no lock.
/// </summary>
public sealed class CodecRegistry
{
    private readonly object _gate = new();
    private Entry[] _entries = [];

    /// <summary>An empty registry.</summary>
    public CodecRegistry()
    {
    }

    /// <summary>A process-wide registry with the built-in codecs. Prefer <see cref="CreateDefault"/>
    /// when you register your own codecs, so that you do not change what other users of this instance see.</summary>
    public static CodecRegistry Default { get; } = CreateDefault();

    /// <summary>The registered codecs in registration order (the order an offer lists them by default).</summary>
    public IReadOnlyList<CodecInfo> Codecs
    {
        get
        {
            var e = Volatile.Read(ref _entries);
            var list = new CodecInfo[e.Length];
            for (int i = 0; i < e.Length; i++) list[i] = e[i].Info;
            return list;
        }
    }

    /// <summary>A new registry with the built-in codecs (<see cref="StandardCodecs"/>): PCMU (PT 0) and PCMA (PT 8), 8 kHz
    /// mono, 20 ms; G722 (PT 9), 16 kHz mono audio on an 8000 Hz RTP clock (RFC 3551), 20 ms; opus (dynamic PT,
    /// opus/48000/2, mono, encoder settings from the peer's fmtp by <see cref="OpusFmtp.ToEncoderOptions"/>, decoding at 48 kHz);
    /// iLBC (dynamic PT, mode from the SDP answer). G.729 needs the native bcg729 and is added with <c>G729Codec.Register</c>.</summary>
    public static CodecRegistry CreateDefault()
    {
        var r = new CodecRegistry();
        r.Register(
            StandardCodecs.Pcmu,
            static () => new MuLawEncoder(),
            static () => new MuLawDecoder());
        r.Register(
            StandardCodecs.Pcma,
            static () => new ALawEncoder(),
            static () => new ALawDecoder());
        r.Register(
            StandardCodecs.G722, // RFC 3551: 8000 Hz RTP clock, 16 kHz audio
            static () => new G722Encoder(),
            static () => new G722Decoder());
        r.Register(
            StandardCodecs.Opus, // RFC 7587: opus/48000/2, dynamic PT; the encoder follows the peer's fmtp
            static f => OpusCodec.CreateEncoder(OpusFmtp.Parse(f.Parameters).ToEncoderOptions(f.Ptime)),
            static _ => OpusCodec.CreateDecoder(SampleRate.Hz48000, 1));
        r.Register(
            StandardCodecs.Ilbc, // RFC 3952: dynamic PT, mode=30 offered; the answer settles the mode for both sides
            static f => new IlbcEncoder(IlbcModeOf(f)),
            static f => new IlbcDecoder(IlbcModeOf(f)));
        return r;
    }

    private static IlbcMode IlbcModeOf(CodecFormat format) => IlbcFmtp.Parse(format.Parameters).Mode == 20 ? IlbcMode.Ms20 : IlbcMode.Ms30;

    /// <summary>Adds a codec whose encoder and decoder need no negotiated parameters, or replaces the one registered
    /// under the same name. The factories are called for every call (each stream needs its own instance).</summary>
    /// <exception cref="ArgumentException">The description is invalid (the message names the codec and the problem).</exception>
    public void Register(CodecInfo info, Func<IAudioEncoder> encoderFactory, Func<IAudioDecoder> decoderFactory)
    {
        ArgumentNullException.ThrowIfNull(encoderFactory);
        ArgumentNullException.ThrowIfNull(decoderFactory);
        Register(info, _ => encoderFactory(), _ => decoderFactory());
    }

    /// <summary>
    /// Adds a codec, or replaces the one registered under the same name. The factories receive the negotiated
    /// <see cref="CodecFormat"/> (fmtp of both sides, ptime, rtpmap channels) and may tune the instance by it (Opus:
    /// <c>stereo</c>, <c>useinbandfec</c>, <c>usedtx</c>, <c>maxplaybackrate</c>, <c>maxaveragebitrate</c>). An encoder may
    /// run at another sample rate than <see cref="CodecInfo.SampleRate"/>; the media side reads the instance's rate.
    /// Its <see cref="IAudioEncoder.RtpClockRate"/> must be the codec's RTP clock.
    /// </summary>
    /// <exception cref="ArgumentException">The description is invalid (the message names the codec and the problem).</exception>
    public void Register(CodecInfo info, Func<CodecFormat, IAudioEncoder> encoderFactory, Func<CodecFormat, IAudioDecoder> decoderFactory)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(encoderFactory);
        ArgumentNullException.ThrowIfNull(decoderFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Name, nameof(info));
        if (info.Name.Contains('/', StringComparison.Ordinal) || info.Name.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Codec '{info.Name}': an rtpmap encoding name has no '/' or space.", nameof(info));
        }

        if (string.Equals(info.Name, TelephoneEventFmtp.EncodingName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("telephone-event is not an audio codec: the SDP side offers it by itself (list it in the endpoint's codec names).", nameof(info));
        }

        if (info.StaticPayloadType is int pt && (pt < 0 || pt > 95))
        {
            throw new ArgumentOutOfRangeException(nameof(info), pt, $"Codec {info.Name}: a static RTP payload type is 0 to 95 (96-127 are dynamic; leave it null to have one allocated).");
        }

        if (info.Channels < 1) throw new ArgumentOutOfRangeException(nameof(info), info.Channels, $"Codec {info.Name}: channels must be at least 1.");
        if (info.RtpMapChannels < 1) throw new ArgumentOutOfRangeException(nameof(info), info.RtpMapChannels, $"Codec {info.Name}: rtpmap channels must be at least 1.");
        if (info.RtpClockRate.Hertz <= 0) throw new ArgumentOutOfRangeException(nameof(info), info.RtpClockRate.Hertz, $"Codec {info.Name}: the RTP clock rate must be positive.");
        if (info.DefaultPtime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(info), info.DefaultPtime, $"Codec {info.Name}: the default ptime must be positive.");
        ArgumentNullException.ThrowIfNull(info.DefaultFmtp, nameof(info) + ".DefaultFmtp");

        lock (_gate)
        {
            var current = _entries;
            if (info.StaticPayloadType is int spt)
            {
                foreach (var other in current)
                {
                    if (other.Info.StaticPayloadType == spt && !string.Equals(other.Info.Name, info.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ArgumentException($"Codec {info.Name}: static payload type {spt} is already {other.Info.Name}'s.", nameof(info));
                    }
                }
            }

            var list = new List<Entry>(current);
            int i = IndexOf(current, info.Name);
            var entry = new Entry(info, encoderFactory, decoderFactory);
            if (i >= 0) list[i] = entry;
            else list.Add(entry);
            Volatile.Write(ref _entries, list.ToArray());
        }
    }

    /// <summary>Finds a codec by rtpmap encoding name, ignoring case.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out CodecInfo? info)
    {
        ArgumentNullException.ThrowIfNull(name);
        var e = Volatile.Read(ref _entries);
        int i = IndexOf(e, name);
        info = i >= 0 ? e[i].Info : null;
        return info is not null;
    }

    /// <summary>Finds a codec by rtpmap encoding name and clock rate (an rtpmap line such as <c>PCMU/8000</c>).</summary>
    public bool TryGet(string name, RtpClockRate clockRate, [NotNullWhen(true)] out CodecInfo? info)
    {
        if (TryGet(name, out info) && info.RtpClockRate == clockRate) return true;
        info = null;
        return false;
    }

    /// <summary>Finds the codec whose static payload type is <paramref name="payloadType"/> (for an m= line without rtpmap).</summary>
    public bool TryGetByStaticPayloadType(int payloadType, [NotNullWhen(true)] out CodecInfo? info)
    {
        foreach (var e in Volatile.Read(ref _entries))
        {
            if (e.Info.StaticPayloadType == payloadType)
            {
                info = e.Info;
                return true;
            }
        }

        info = null;
        return false;
    }

    /// <summary>The codec registered as <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">No such codec; the message names it and lists the known ones.</exception>
    public CodecInfo Get(string name) => TryGet(name, out var info) ? info : throw Unknown(name);

    /// <summary>A new encoder for the codec registered as <paramref name="name"/>, with its default format.</summary>
    /// <exception cref="KeyNotFoundException">No such codec; the message names it and lists the known ones.</exception>
    public IAudioEncoder CreateEncoder(string name)
    {
        var e = Find(name);
        return CheckClock(e.EncoderFactory(CodecFormat.Default(e.Info)), e.Info);
    }

    /// <summary>A new decoder for the codec registered as <paramref name="name"/>, with its default format.</summary>
    /// <exception cref="KeyNotFoundException">No such codec; the message names it and lists the known ones.</exception>
    public IAudioDecoder CreateDecoder(string name)
    {
        var e = Find(name);
        return CheckClock(e.DecoderFactory(CodecFormat.Default(e.Info)), e.Info);
    }

    /// <summary>A new encoder for a negotiated <paramref name="format"/> (found by name and RTP clock).</summary>
    /// <exception cref="KeyNotFoundException">No codec with that name and clock; the message lists the known ones.</exception>
    public IAudioEncoder CreateEncoder(CodecFormat format)
    {
        var e = Find(format);
        return CheckClock(e.EncoderFactory(format), e.Info);
    }

    /// <summary>A new decoder for a negotiated <paramref name="format"/> (found by name and RTP clock).</summary>
    /// <exception cref="KeyNotFoundException">No codec with that name and clock; the message lists the known ones.</exception>
    public IAudioDecoder CreateDecoder(CodecFormat format)
    {
        var e = Find(format);
        return CheckClock(e.DecoderFactory(format), e.Info);
    }

    /// <summary>The registered names, comma-separated (for error messages); "none" when empty.</summary>
    public string DescribeNames()
    {
        var e = Volatile.Read(ref _entries);
        if (e.Length == 0) return "none";
        var names = new string[e.Length];
        for (int i = 0; i < e.Length; i++) names[i] = e[i].Info.Name;
        return string.Join(", ", names);
    }

    private Entry Find(CodecFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var e = Find(format.Name);
        if (e.Info.RtpClockRate != format.ClockRate)
        {
            throw new KeyNotFoundException($"Codec '{format.Name}/{format.ClockRate.Hertz}' is not registered ({e.Info.Name} runs on a {e.Info.RtpClockRate.Hertz} Hz RTP clock). Known codecs: {DescribeNames()}.");
        }

        return e;
    }

    private static IAudioEncoder CheckClock(IAudioEncoder encoder, CodecInfo info) =>
        encoder is null ? throw new InvalidOperationException($"The encoder factory of {info.Name} returned null.")
        : encoder.RtpClockRate != info.RtpClockRate ? throw new InvalidOperationException($"The encoder factory of {info.Name} made an encoder on a {encoder.RtpClockRate.Hertz} Hz RTP clock; the codec is registered with {info.RtpClockRate.Hertz} Hz.")
        : encoder;

    private static IAudioDecoder CheckClock(IAudioDecoder decoder, CodecInfo info) =>
        decoder is null ? throw new InvalidOperationException($"The decoder factory of {info.Name} returned null.")
        : decoder.RtpClockRate != info.RtpClockRate ? throw new InvalidOperationException($"The decoder factory of {info.Name} made a decoder on a {decoder.RtpClockRate.Hertz} Hz RTP clock; the codec is registered with {info.RtpClockRate.Hertz} Hz.")
        : decoder;

    private Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var e = Volatile.Read(ref _entries);
        int i = IndexOf(e, name);
        return i >= 0 ? e[i] : throw Unknown(name);
    }

    private KeyNotFoundException Unknown(string name) =>
        new($"Codec '{name}' is not registered. Known codecs: {DescribeNames()}.");

    private static int IndexOf(Entry[] entries, string name)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Info.Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }

    private sealed record Entry(CodecInfo Info, Func<CodecFormat, IAudioEncoder> EncoderFactory, Func<CodecFormat, IAudioDecoder> DecoderFactory);
}
