using System.Globalization;
using Pipeline.Devices;

namespace Pipeline.Cli.CodecTool;

/// <summary>
/// <c>codec list | encode | decode</c>: converts WAV files to a codec's file format and back.
/// <code>
///   encode: WAV ──► downmix (mono codecs) ──► resample to the codec rate ──► encoder ──► codec file
///   decode: codec file ──► decoder ──► WAV at the codec rate
/// </code>
/// Exit codes: 0 done, 2 usage (unknown codec or option), 1 runtime (bad file, missing native library, I/O).
/// </summary>
internal static class CodecCommand
{
    public const string Usage =
        """
        usage: Pipeline.Cli codec list
               Pipeline.Cli codec encode --codec NAME --in FILE.wav --out FILE [--bitrate N] [--mode 20|30]
               Pipeline.Cli codec decode --codec NAME --in FILE --out FILE.wav
          encode resamples the WAV to the codec's rate (and downmixes stereo for mono codecs);
          decode writes a WAV at the codec's rate. `codec list` shows names, rates, frames, file formats
          and whether each implementation is available here.
          --bitrate N   bits per second (opus)     --mode 20|30   frame length in ms (ilbc)
        exit codes: 0 done, 1 runtime error (bad file, missing native library), 2 usage error
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0) throw new UsageException("codec needs a subcommand: list, encode or decode (codec --help)");
        if (args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        try
        {
            switch (args[0])
            {
                case "list":
                    if (args.Length > 1) throw new UsageException($"codec list takes no arguments (got '{args[1]}')");
                    List(stdout);
                    return 0;
                case "encode":
                    Encode(Parse(args[1..], encode: true), stdout);
                    return 0;
                case "decode":
                    Decode(Parse(args[1..], encode: false), stdout);
                    return 0;
                default:
                    throw new UsageException($"unknown codec subcommand '{args[0]}' (expected list, encode or decode)");
            }
        }
        catch (UsageException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or DllNotFoundException or NotSupportedException or CodecUnavailableException)
        {
            stderr.WriteLine($"Pipeline.Cli codec: {ex.Message}");
            return 1;
        }
    }

    private static void List(TextWriter stdout)
    {
        stdout.WriteLine($"{"NAME",-6} {"CODEC",-32} {"RATES",-14} {"FRAMES",-36} {"FILE FORMAT",-72} AVAILABLE");
        foreach (var a in CodecAdapters.All)
        {
            string available = a.UnavailableReason is string why ? $"no: {why}" : $"yes ({a.Implementation})";
            stdout.WriteLine($"{a.Name,-6} {a.Title,-32} {a.Rates,-14} {a.FrameSizes,-36} {a.FileFormat,-72} {available}");
        }
    }

    private static void Encode(Options o, TextWriter stdout)
    {
        var codec = o.Codec;
        if (o.Bitrate is not null && !codec.TakesBitrate) throw new UsageException($"--bitrate does not apply to {codec.Name}");
        if (o.ModeMs is not null && !codec.TakesMode) throw new UsageException($"--mode does not apply to {codec.Name}");
        var settings = new EncodeSettings(o.Bitrate, o.ModeMs);
        codec.Validate(settings);
        EnsureAvailable(codec);

        var (format, samples) = WavFile.ReadAll(o.Input);
        short[] pcm = samples;
        int channels = format.Channels;
        if (!codec.Accepts(channels))
        {
            pcm = AudioConversion.Downmix(pcm, channels);
            channels = 1;
        }

        if (format.SampleRate != codec.SampleRate)
        {
            pcm = AudioConversion.Resample(pcm, channels, format.SampleRate, codec.SampleRate);
        }

        using (var output = new FileStream(o.Output, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            codec.Encode(pcm, channels, output, settings);
        }

        stdout.WriteLine($"encoded {o.Input} ({format}) as {codec.Name} at {codec.SampleRate.Hertz} Hz, {pcm.Length / channels} samples per channel -> {o.Output} ({new FileInfo(o.Output).Length} bytes)");
    }

    private static void Decode(Options o, TextWriter stdout)
    {
        var codec = o.Codec;
        EnsureAvailable(codec);
        DecodedAudio audio;
        using (var input = new FileStream(o.Input, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024))
        {
            audio = codec.Decode(input, o.Input);
        }

        WavFile.WriteAll(o.Output, new WavFormat(audio.SampleRate, audio.Channels), audio.Samples);
        stdout.WriteLine($"decoded {o.Input} as {codec.Name} -> {o.Output} ({audio.SampleRate.Hertz} Hz, {audio.Channels} channel(s), {audio.Samples.Length / audio.Channels} samples per channel)");
    }

    private static void EnsureAvailable(CodecAdapter codec)
    {
        if (codec.UnavailableReason is string why) throw new CodecUnavailableException($"{codec.Name} is not available here: {why}");
    }

    private static Options Parse(string[] args, bool encode)
    {
        string? codec = null, input = null, output = null;
        int? bitrate = null, mode = null;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{flag} needs a value");
            switch (flag)
            {
                case "--codec":
                    codec = Value();
                    break;
                case "--in":
                    input = Value();
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--bitrate" when encode:
                    bitrate = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b > 0
                        ? b
                        : throw new UsageException($"--bitrate takes a positive number of bits per second, not '{args[i]}'");
                    break;
                case "--mode" when encode:
                    mode = Value() switch
                    {
                        "20" => 20,
                        "30" => 30,
                        var v => throw new UsageException($"--mode is 20 or 30 (ms), not '{v}'"),
                    };
                    break;
                default:
                    throw new UsageException($"unknown option '{flag}' for codec {(encode ? "encode" : "decode")} (codec --help)");
            }
        }

        if (codec is null) throw new UsageException("--codec NAME is required (" + CodecAdapters.Names + ")");
        var adapter = CodecAdapters.Find(codec) ?? throw new UsageException($"unknown codec '{codec}' (known: {CodecAdapters.Names})");
        if (input is null) throw new UsageException("--in FILE is required");
        if (output is null) throw new UsageException("--out FILE is required");
        return new Options(adapter, input, output, bitrate, mode);
    }

    private sealed record Options(CodecAdapter Codec, string Input, string Output, int? Bitrate, int? ModeMs);
}

/// <summary>A codec whose implementation cannot run here (its native library is missing).</summary>
internal sealed class CodecUnavailableException(string message) : Exception(message);
