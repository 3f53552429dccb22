using System.Diagnostics.CodeAnalysis;
using Pipeline.Codecs.G711;
using Pipeline.Codecs.G722;
using Pipeline.Core.Media;

namespace Pipeline.Codecs;

/// <summary>
/// The codecs an endpoint can offer, found by rtpmap name (case-insensitive), with factories for
/// their encoders and decoders. <see cref="CreateDefault"/> gives one holding PCMU (PT 0), PCMA (PT 8) and G722 (PT 9).
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

    /// <summary>A new registry with the built-in codecs: PCMU (PT 0) and PCMA (PT 8), 8 kHz mono, 20 ms;
    /// G722 (PT 9), 16 kHz mono audio on an 8000 Hz RTP clock (RFC 3551), 20 ms.</summary>
    public static CodecRegistry CreateDefault()
    {
        var r = new CodecRegistry();
        r.Register(
            new CodecInfo("PCMU", 0, new RtpClockRate(8000), SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(20)),
            static () => new MuLawEncoder(),
            static () => new MuLawDecoder());
        r.Register(
            new CodecInfo("PCMA", 8, new RtpClockRate(8000), SampleRate.Hz8000, 1, TimeSpan.FromMilliseconds(20)),
            static () => new ALawEncoder(),
            static () => new ALawDecoder());
        r.Register(
            new CodecInfo("G722", 9, new RtpClockRate(8000), SampleRate.Hz16000, 1, TimeSpan.FromMilliseconds(20)), // RFC 3551: 8000 Hz RTP clock, 16 kHz audio
            static () => new G722Encoder(),
            static () => new G722Decoder());
        return r;
    }

    /// <summary>Adds a codec, or replaces the one registered under the same name.</summary>
    public void Register(CodecInfo info, Func<IAudioEncoder> encoderFactory, Func<IAudioDecoder> decoderFactory)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(encoderFactory);
        ArgumentNullException.ThrowIfNull(decoderFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Name, nameof(info));
        if (info.StaticPayloadType is int pt && (pt < 0 || pt > 127))
        {
            throw new ArgumentOutOfRangeException(nameof(info), pt, $"Codec {info.Name}: an RTP payload type is 0 to 127.");
        }

        if (info.Channels < 1) throw new ArgumentOutOfRangeException(nameof(info), info.Channels, $"Codec {info.Name}: channels must be at least 1.");
        if (info.DefaultPtime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(info), info.DefaultPtime, $"Codec {info.Name}: the default ptime must be positive.");

        lock (_gate)
        {
            var list = new List<Entry>(_entries);
            int i = IndexOf(_entries, info.Name);
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

    /// <summary>A new encoder for the codec registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such codec; the message names it and lists the known ones.</exception>
    public IAudioEncoder CreateEncoder(string name) => Find(name).EncoderFactory();

    /// <summary>A new decoder for the codec registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such codec; the message names it and lists the known ones.</exception>
    public IAudioDecoder CreateDecoder(string name) => Find(name).DecoderFactory();

    private Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var e = Volatile.Read(ref _entries);
        int i = IndexOf(e, name);
        return i >= 0 ? e[i] : throw Unknown(name);
    }

    private KeyNotFoundException Unknown(string name)
    {
        var e = Volatile.Read(ref _entries);
        var names = new string[e.Length];
        for (int i = 0; i < e.Length; i++) names[i] = e[i].Info.Name;
        string known = names.Length == 0 ? "none" : string.Join(", ", names);
        return new KeyNotFoundException($"Codec '{name}' is not registered. Known codecs: {known}.");
    }

    private static int IndexOf(Entry[] entries, string name)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Info.Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }

    private sealed record Entry(CodecInfo Info, Func<IAudioEncoder> EncoderFactory, Func<IAudioDecoder> DecoderFactory);
}
