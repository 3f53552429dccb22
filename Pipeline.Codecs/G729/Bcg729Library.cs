using System.Runtime.InteropServices;

namespace Pipeline.Codecs.G729;

/// <summary>
/// The entry points of bcg729 (Belledonne's G.729 Annex A/B codec, GPL-3), found in Debian's <c>libbcg729.so.0</c>
/// (package <c>libbcg729-0</c>, version 1.1.x) with <see cref="NativeLibrary"/> and called through unmanaged
/// function pointers. Loading happens on first use, so a process that never touches G.729 never needs the library.
/// We do not install a DllImport resolver: an assembly has only one, and other codecs may want it.
/// The environment variable <c>PIPELINE_BCG729_LIBRARY</c> (a soname or a path) replaces <see cref="DefaultName"/>,
/// for a bcg729 built elsewhere.
/// <code>
///   ctx* initBcg729EncoderChannel(uint8_t enableVAD);
///   void bcg729Encoder(ctx*, int16_t in[80], uint8_t out[10], uint8_t *outLength);      // 10, 2 (SID) or 0 (DTX)
///   void closeBcg729EncoderChannel(ctx*);
///   ctx* initBcg729DecoderChannel(void);
///   void bcg729Decoder(ctx*, uint8_t in[], uint8_t inLength, uint8_t frameErasure, uint8_t sid, uint8_t rfc3389, int16_t out[80]);
///   void closeBcg729DecoderChannel(ctx*);
/// </code>
/// </summary>
internal sealed unsafe class Bcg729Library
{
    /// <summary>The soname we load.</summary>
    public const string DefaultName = "libbcg729.so.0";

    /// <summary>The Debian package that provides it.</summary>
    public const string Package = "libbcg729-0";

    /// <summary>The environment variable that names another library file to load instead of <see cref="DefaultName"/>.</summary>
    public const string OverrideVariable = "PIPELINE_BCG729_LIBRARY";

    private static readonly Lazy<(Bcg729Library? Library, string? Error)> DefaultLoad = new(() =>
        TryLoad(ConfiguredName, out var lib, out var error) ? (lib, null) : (null, error));

    /// <summary><see cref="DefaultName"/>, or the value of <see cref="OverrideVariable"/> when set.</summary>
    public static string ConfiguredName =>
        Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } name ? name : DefaultName;

    private Bcg729Library(string name, nint handle)
    {
        Name = name;
        InitEncoder = (delegate* unmanaged<byte, nint>)NativeLibrary.GetExport(handle, "initBcg729EncoderChannel");
        Encode = (delegate* unmanaged<nint, short*, byte*, byte*, void>)NativeLibrary.GetExport(handle, "bcg729Encoder");
        CloseEncoder = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "closeBcg729EncoderChannel");
        InitDecoder = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "initBcg729DecoderChannel");
        Decode = (delegate* unmanaged<nint, byte*, byte, byte, byte, byte, short*, void>)NativeLibrary.GetExport(handle, "bcg729Decoder");
        CloseDecoder = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "closeBcg729DecoderChannel");
    }

    /// <summary>A library made of the given entry points instead of bcg729's (the benchmark measures the wrapper's own
    /// cost with native functions that do nothing).</summary>
    internal Bcg729Library(
        string name,
        delegate* unmanaged<byte, nint> initEncoder,
        delegate* unmanaged<nint, short*, byte*, byte*, void> encode,
        delegate* unmanaged<nint, void> closeEncoder,
        delegate* unmanaged<nint> initDecoder,
        delegate* unmanaged<nint, byte*, byte, byte, byte, byte, short*, void> decode,
        delegate* unmanaged<nint, void> closeDecoder)
    {
        Name = name;
        InitEncoder = initEncoder;
        Encode = encode;
        CloseEncoder = closeEncoder;
        InitDecoder = initDecoder;
        Decode = decode;
        CloseDecoder = closeDecoder;
    }

    public string Name { get; }

    public delegate* unmanaged<byte, nint> InitEncoder { get; }

    public delegate* unmanaged<nint, short*, byte*, byte*, void> Encode { get; }

    public delegate* unmanaged<nint, void> CloseEncoder { get; }

    public delegate* unmanaged<nint> InitDecoder { get; }

    public delegate* unmanaged<nint, byte*, byte, byte, byte, byte, short*, void> Decode { get; }

    public delegate* unmanaged<nint, void> CloseDecoder { get; }

    /// <summary>True when <see cref="DefaultName"/> loads and has every entry point.</summary>
    public static bool IsDefaultAvailable => DefaultLoad.Value.Library is not null;

    /// <summary>Why the default library is not usable, or null when it is.</summary>
    public static string? DefaultError => DefaultLoad.Value.Error;

    /// <summary>The library loaded from <see cref="DefaultName"/> (once per process).</summary>
    /// <exception cref="DllNotFoundException">It is missing or lacks an entry point; the message names the library and package.</exception>
    public static Bcg729Library Default => DefaultLoad.Value.Library ?? throw new DllNotFoundException(DefaultLoad.Value.Error);

    /// <summary>Loads <paramref name="name"/> (a soname or path); on failure <paramref name="error"/> says what is missing and how to get it.</summary>
    public static bool TryLoad(string name, out Bcg729Library? library, out string? error)
    {
        library = null;
        if (!NativeLibrary.TryLoad(name, typeof(Bcg729Library).Assembly, null, out var handle))
        {
            error = $"G.729 needs the native library {name} (bcg729, GPL-3), which could not be loaded. " +
                    $"On Debian/Ubuntu install the package {Package} (apt-get install {Package}).";
            return false;
        }

        try
        {
            library = new Bcg729Library(name, handle);
            error = null;
            return true;
        }
        catch (EntryPointNotFoundException ex)
        {
            NativeLibrary.Free(handle);
            error = $"{name} was loaded but is not a usable bcg729 1.x ({ex.Message}). Install the package {Package} (bcg729 1.1 or later).";
            return false;
        }
    }

    /// <summary>Like <see cref="TryLoad"/>, throwing <see cref="DllNotFoundException"/> with the message on failure.</summary>
    public static Bcg729Library Load(string name) =>
        TryLoad(name, out var lib, out var error) ? lib! : throw new DllNotFoundException(error);
}
