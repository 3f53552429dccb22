using System.Runtime.InteropServices;

namespace Pipeline.Codecs.Opus;

/// <summary>
/// P/Invoke binding of libopus 1.x as Debian ships it (<c>libopus.so.0</c>, package <c>libopus0</c>).
/// Every call passes pointers and ints only, so the generated stubs copy nothing and allocate nothing;
/// the encoder and decoder states are held by <see cref="OpusEncoderHandle"/> and <see cref="OpusDecoderHandle"/>.
/// <para><b>Loading.</b> The stubs name <c>libopus.so.0</c>, which the runtime opens with dlopen's usual search.
/// No DllImportResolver is installed (there can be only one per assembly, and other codecs in this assembly may
/// want it); instead <see cref="EnsureLoaded"/> probes the library with <see cref="NativeLibrary.TryLoad(string, out nint)"/>
/// before the first call, so a missing library is reported by a clear exception rather than a bare
/// <see cref="DllNotFoundException"/> from the middle of a call.</para>
/// <para><b>The variadic ctl calls.</b> <c>opus_encoder_ctl(OpusEncoder *st, int request, ...)</c> and
/// <c>opus_decoder_ctl</c> are C variadic functions; .NET cannot declare "...", so we declare fixed-arity
/// overloads: (st, request), (st, request, int) and (st, request, int*). That is safe for these argument types on
/// the platforms this binding loads on (Linux x64 and arm64): on x86-64 SysV, variadic integer and pointer arguments
/// travel in the same registers (rdi, rsi, rdx…) as fixed ones, and the only extra rule, %al holding an upper bound
/// of the vector registers used, matters only for floating-point arguments (the callee's prologue merely skips or
/// performs the spill of xmm registers into its save area, either is harmless); on AAPCS64 (Linux arm64) variadic
/// arguments are passed exactly like named ones. It would not be safe on Apple arm64, where variadic arguments go on
/// the stack, nor for floating-point arguments; libopus's ctls take only opus_int32 and opus_int32*.
/// <c>opus_int32</c> is <c>int</c> on every platform here.</para>
/// </summary>
internal static unsafe partial class LibOpus
{
    /// <summary>The soname of Debian's libopus.</summary>
    public const string LibraryName = "libopus.so.0";

    /// <summary>The Debian package that installs <see cref="LibraryName"/>.</summary>
    public const string DebianPackage = "libopus0";

    // Error codes (opus_defines.h).
    public const int OPUS_OK = 0;
    public const int OPUS_BAD_ARG = -1;
    public const int OPUS_BUFFER_TOO_SMALL = -2;
    public const int OPUS_INVALID_PACKET = -4;

    // Applications.
    public const int OPUS_APPLICATION_VOIP = 2048;
    public const int OPUS_APPLICATION_AUDIO = 2049;
    public const int OPUS_APPLICATION_RESTRICTED_LOWDELAY = 2051;

    // ctl requests (opus_defines.h): SET takes an opus_int32, GET an opus_int32*.
    public const int OPUS_SET_BITRATE_REQUEST = 4002;
    public const int OPUS_GET_BITRATE_REQUEST = 4003;
    public const int OPUS_SET_COMPLEXITY_REQUEST = 4010;
    public const int OPUS_SET_INBAND_FEC_REQUEST = 4012;
    public const int OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
    public const int OPUS_SET_DTX_REQUEST = 4016;
    public const int OPUS_GET_LOOKAHEAD_REQUEST = 4027;
    public const int OPUS_RESET_STATE = 4028;
    public const int OPUS_GET_LAST_PACKET_DURATION_REQUEST = 4039;

    private static int s_loadState; // 0 unknown, 1 loaded, -1 missing

    /// <summary>True when <see cref="LibraryName"/> can be loaded here (probed once, then cached).</summary>
    public static bool IsAvailable
    {
        get
        {
            int state = Volatile.Read(ref s_loadState);
            if (state == 0)
            {
                state = TryLoad(LibraryName, out _) ? 1 : -1;
                Volatile.Write(ref s_loadState, state);
            }

            return state > 0;
        }
    }

    /// <summary>Throws the "library missing" exception unless libopus can be loaded.</summary>
    /// <exception cref="DllNotFoundException">libopus cannot be loaded; the message names the library and the Debian package.</exception>
    public static void EnsureLoaded()
    {
        if (!IsAvailable) throw MissingLibrary(LibraryName);
    }

    /// <summary>Loads <paramref name="name"/> (kept loaded: the stubs bind to it), or throws the clear exception.
    /// Separate from <see cref="LibraryName"/> so that a test can show the message for a library that is not there.</summary>
    /// <exception cref="DllNotFoundException"><paramref name="name"/> cannot be loaded.</exception>
    public static nint Load(string name) => TryLoad(name, out nint handle) ? handle : throw MissingLibrary(name);

    private static bool TryLoad(string name, out nint handle) => NativeLibrary.TryLoad(name, out handle);

    internal static DllNotFoundException MissingLibrary(string name) => new(
        $"The native Opus library '{name}' could not be loaded. Install Debian's '{DebianPackage}' package " +
        $"(apt-get install {DebianPackage}), or ask for {nameof(OpusImplementation)}.{nameof(OpusImplementation.Managed)} " +
        "(Concentus) instead; OpusImplementation.Auto falls back to it by itself.");

    /// <summary>libopus's description of an error code, e.g. "invalid argument".</summary>
    public static string ErrorString(int error)
    {
        byte* s = opus_strerror(error);
        return s is null ? $"error {error}" : Marshal.PtrToStringUTF8((nint)s) ?? $"error {error}";
    }

    public static string Version()
    {
        byte* s = opus_get_version_string();
        return s is null ? "libopus" : Marshal.PtrToStringUTF8((nint)s) ?? "libopus";
    }

    // OpusEncoder *opus_encoder_create(opus_int32 Fs, int channels, int application, int *error);
    [LibraryImport(LibraryName)]
    public static partial OpusEncoderHandle opus_encoder_create(int fs, int channels, int application, int* error);

    // opus_int32 opus_encode(OpusEncoder *st, const opus_int16 *pcm, int frame_size, unsigned char *data, opus_int32 max_data_bytes);
    [LibraryImport(LibraryName)]
    public static partial int opus_encode(OpusEncoderHandle st, short* pcm, int frameSize, byte* data, int maxDataBytes);

    // void opus_encoder_destroy(OpusEncoder *st);
    [LibraryImport(LibraryName)]
    public static partial void opus_encoder_destroy(nint st);

    // int opus_encoder_ctl(OpusEncoder *st, int request, ...): fixed-arity forms, see the class remarks.
    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl(OpusEncoderHandle st, int request);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl(OpusEncoderHandle st, int request, int value);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl(OpusEncoderHandle st, int request, int* value);

    // OpusDecoder *opus_decoder_create(opus_int32 Fs, int channels, int *error);
    [LibraryImport(LibraryName)]
    public static partial OpusDecoderHandle opus_decoder_create(int fs, int channels, int* error);

    // int opus_decode(OpusDecoder *st, const unsigned char *data, opus_int32 len, opus_int16 *pcm, int frame_size, int decode_fec);
    // data NULL (or len 0): packet loss concealment. decode_fec 1: the previous frame from this packet's in-band FEC.
    [LibraryImport(LibraryName)]
    public static partial int opus_decode(OpusDecoderHandle st, byte* data, int len, short* pcm, int frameSize, int decodeFec);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    public static partial int opus_decoder_ctl(OpusDecoderHandle st, int request);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    public static partial int opus_decoder_ctl(OpusDecoderHandle st, int request, int* value);

    // void opus_decoder_destroy(OpusDecoder *st);
    [LibraryImport(LibraryName)]
    public static partial void opus_decoder_destroy(nint st);

    // int opus_packet_get_nb_samples(const unsigned char packet[], opus_int32 len, opus_int32 Fs);
    [LibraryImport(LibraryName)]
    public static partial int opus_packet_get_nb_samples(byte* packet, int len, int fs);

    // const char *opus_strerror(int error);
    [LibraryImport(LibraryName)]
    public static partial byte* opus_strerror(int error);

    // const char *opus_get_version_string(void);
    [LibraryImport(LibraryName)]
    public static partial byte* opus_get_version_string();
}
