using Pipeline.Interop.Tests.Peers;
using Xunit.Abstractions;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>
/// <c>Pipeline.Cli codec</c> against ffmpeg as the oracle: files we write must be readable by ffmpeg, our decodes must
/// hold the tone we put in, and for the sample-by-sample codecs our bytes must be ffmpeg's.
/// </summary>
public sealed class CodecCliTests(ITestOutputHelper output) : IDisposable
{
    private const double ToneHz = 1000;
    private const double ToneAmplitude = 0.3;
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-codec-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Codec, its rate, ffmpeg's demuxer arguments for our file, and the least level (of 0.3) a decode must keep.</summary>
    public static TheoryData<string, int, string[], double> Codecs => new()
    {
        { "pcmu", 8000, ["-f", "mulaw", "-ar", "8000", "-ac", "1"], 0.27 },
        { "pcma", 8000, ["-f", "alaw", "-ar", "8000", "-ac", "1"], 0.27 },
        { "g722", 16000, ["-f", "g722"], 0.27 },
        { "g729", 8000, ["-f", "g729"], 0.1 },
        { "ilbc", 8000, ["-f", "ilbc"], 0.1 },
        { "opus", 48000, ["-f", "ogg"], 0.2 },
    };

    [SkippableTheory]
    [MemberData(nameof(Codecs))]
    public async Task Encoded_file_decodes_in_ffmpeg_and_in_our_cli_to_the_tone(string codec, int rate, string[] ffmpegInput, double minLevel)
    {
        Tools.Require("ffmpeg");
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "in.wav"), ToneHz, TimeSpan.FromSeconds(2), sampleRate: rate, amplitude: ToneAmplitude);
        string coded = Path.Combine(_dir, "out." + codec);
        await CodecCli.RunOkAsync("encode", "--codec", codec, "--in", wav, "--out", coded);
        Assert.True(new FileInfo(coded).Length > 0);

        string theirs = Path.Combine(_dir, "ffmpeg.wav");
        await CodecCli.FfmpegAsync([.. ffmpegInput, "-i", coded, "-c:a", "pcm_s16le", theirs]);
        var (theirRate, theirLevel) = AssertTone(theirs, minLevel, "ffmpeg's decode");

        string ours = Path.Combine(_dir, "ours.wav");
        await CodecCli.RunOkAsync("decode", "--codec", codec, "--in", coded, "--out", ours);
        var (ourRate, ourLevel) = AssertTone(ours, minLevel, "our decode");
        Assert.Equal(rate, ourRate);
        Assert.Equal(rate, theirRate);
        Assert.InRange(TestAudio.ReadWav(ours, out _).Length, rate * 2, (rate * 2) + (rate * 3 / 100)); // 2 s, the last frame padded (iLBC: 30 ms)
        output.WriteLine($"{codec}: {new FileInfo(coded).Length} bytes; tone level {ToneAmplitude} in, ffmpeg decode {theirLevel:F3}, ours {ourLevel:F3}");
    }

    [SkippableFact]
    public async Task G722_file_is_byte_exact_with_ffmpeg()
    {
        Tools.Require("ffmpeg");
        string wav = WriteTestWav(16000);
        string ours = Path.Combine(_dir, "ours.g722");
        string theirs = Path.Combine(_dir, "ffmpeg.g722");
        await CodecCli.RunOkAsync("encode", "--codec", "g722", "--in", wav, "--out", ours);
        await CodecCli.FfmpegAsync("-i", wav, "-c:a", "g722", "-f", "g722", theirs);
        Assert.Equal(await File.ReadAllBytesAsync(theirs), await File.ReadAllBytesAsync(ours));
    }

    /// <summary>ffmpeg's G.711 encoders floor to 14 bits and put decision thresholds midway between levels, which
    /// G.711 (and our G.191-exact encoder) does not (see Pipeline.Codecs.Tests' FfmpegOracleTests): so the files are
    /// identical except for samples on a threshold, where the two codes are neighbouring levels.</summary>
    [SkippableTheory]
    [InlineData("pcmu", "mulaw")]
    [InlineData("pcma", "alaw")]
    public async Task G711_file_equals_ffmpeg_except_neighbouring_levels_at_decision_thresholds(string codec, string format)
    {
        Tools.Require("ffmpeg");
        string wav = WriteTestWav(8000);
        string ours = Path.Combine(_dir, "ours." + codec);
        string theirs = Path.Combine(_dir, "ffmpeg." + codec);
        await CodecCli.RunOkAsync("encode", "--codec", codec, "--in", wav, "--out", ours);
        await CodecCli.FfmpegAsync("-i", wav, "-f", format, theirs);
        byte[] a = await File.ReadAllBytesAsync(ours), b = await File.ReadAllBytesAsync(theirs);
        Assert.Equal(b.Length, a.Length);
        int differ = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i]) continue;
            differ++;
            int magA = codec == "pcmu" ? 0x7F - (a[i] & 0x7F) : (a[i] ^ 0x55) & 0x7F;
            int magB = codec == "pcmu" ? 0x7F - (b[i] & 0x7F) : (b[i] ^ 0x55) & 0x7F;
            Assert.True((a[i] & 0x80) == (b[i] & 0x80) && Math.Abs(magA - magB) == 1, $"byte {i}: ours 0x{a[i]:X2}, ffmpeg 0x{b[i]:X2} are not neighbouring codes");
        }

        output.WriteLine($"{codec}: {differ} of {a.Length} bytes differ from ffmpeg, all by one level");
        Assert.True(differ < a.Length / 10, $"{differ} of {a.Length} bytes differ");
    }

    [SkippableFact]
    public async Task Stereo_44k1_input_is_downmixed_and_resampled_to_the_codec_rate()
    {
        Tools.Require("ffmpeg");
        string wav = Path.Combine(_dir, "stereo.wav");
        await CodecCli.FfmpegAsync("-f", "lavfi", "-i", $"sine=frequency={ToneHz}:duration=2:sample_rate=44100", "-af", "volume=0.6", "-ac", "2", "-c:a", "pcm_s16le", wav);
        string coded = Path.Combine(_dir, "r.g722");
        string ours = Path.Combine(_dir, "r.wav");
        await CodecCli.RunOkAsync("encode", "--codec", "g722", "--in", wav, "--out", coded);
        Assert.Equal(16000, new FileInfo(coded).Length); // 2 s at 16 kHz, one byte per two samples
        await CodecCli.RunOkAsync("decode", "--codec", "g722", "--in", coded, "--out", ours);
        var (rate, level) = AssertTone(ours, 0.05, "decode of the resampled file");
        Assert.Equal(16000, rate);
        output.WriteLine($"44.1 kHz stereo -> g722: tone level {level:F3}");
    }

    [SkippableFact]
    public async Task Ilbc_mode_20_writes_the_20ms_storage_header_and_38_byte_frames()
    {
        Tools.Require("ffmpeg");
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "in.wav"), ToneHz, TimeSpan.FromSeconds(1), amplitude: ToneAmplitude);
        string coded = Path.Combine(_dir, "m20.lbc");
        await CodecCli.RunOkAsync("encode", "--codec", "ilbc", "--mode", "20", "--in", wav, "--out", coded);
        byte[] bytes = await File.ReadAllBytesAsync(coded);
        Assert.Equal("#!iLBC20\n"u8.ToArray(), bytes[..9]);
        Assert.Equal(50 * 38, bytes.Length - 9); // 1 s = 50 frames of 20 ms
        string theirs = Path.Combine(_dir, "m20.wav");
        await CodecCli.FfmpegAsync("-f", "ilbc", "-i", coded, "-c:a", "pcm_s16le", theirs);
        ToneCheck.AssertTone(theirs, ToneHz, TimeSpan.FromSeconds(0.8), context: "ffmpeg's decode of a 20 ms iLBC file");

        var (code, _, stderr) = await CodecCli.RunAsync("encode", "--codec", "ilbc", "--mode", "25", "--in", wav, "--out", coded);
        Assert.Equal(2, code);
        Assert.Contains("--mode is 20 or 30", stderr);
    }

    [SkippableFact]
    public async Task Opus_keeps_stereo_and_the_bitrate_sets_the_file_size()
    {
        Tools.Require("ffmpeg");
        string wav = Path.Combine(_dir, "stereo.wav");
        await CodecCli.FfmpegAsync("-f", "lavfi", "-i", $"sine=frequency={ToneHz}:duration=2:sample_rate=48000", "-ac", "2", "-c:a", "pcm_s16le", wav);
        string low = Path.Combine(_dir, "low.opus"), high = Path.Combine(_dir, "high.opus");
        await CodecCli.RunOkAsync("encode", "--codec", "opus", "--bitrate", "16000", "--in", wav, "--out", low);
        await CodecCli.RunOkAsync("encode", "--codec", "opus", "--bitrate", "96000", "--in", wav, "--out", high);
        long lowBytes = new FileInfo(low).Length, highBytes = new FileInfo(high).Length;
        output.WriteLine($"2 s stereo: {lowBytes} bytes at 16 kbit/s, {highBytes} bytes at 96 kbit/s");
        Assert.InRange(lowBytes, 2000, 8000); // 16 kbit/s × 2 s = 4000 bytes plus Ogg overhead
        Assert.True(highBytes > 3 * lowBytes, $"{highBytes} bytes at 96 kbit/s vs {lowBytes} at 16 kbit/s");

        string decoded = Path.Combine(_dir, "high.wav");
        await CodecCli.RunOkAsync("decode", "--codec", "opus", "--in", high, "--out", decoded);
        var (format, samples) = Pipeline.Devices.WavFile.ReadAll(decoded);
        Assert.Equal(2, format.Channels);
        Assert.Equal(48000, format.SampleRate.Hertz);
        Assert.Equal(96000 * 2, samples.Length);
        ToneCheck.AssertTone(decoded, ToneHz, TimeSpan.FromSeconds(1.5), channel: 1);
    }

    [Fact]
    public async Task List_shows_every_codec_with_rates_frames_format_and_availability()
    {
        string text = await CodecCli.RunOkAsync("list");
        output.WriteLine(text);
        foreach (var name in (string[])["pcmu", "pcma", "g722", "g729", "ilbc", "opus"])
        {
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"no line for {name}");
            Assert.Contains(" Hz", line);
            Assert.Contains("ms", line);
            Assert.Matches(@"\b(yes|no: )", line);
        }

        Assert.Contains("raw µ-law", text);
        Assert.Contains("Ogg Opus", text);
        Assert.Contains("#!iLBC30", text);
        Assert.Contains("libbcg729.so.0", text);
    }

    [Fact]
    public async Task Unknown_codec_is_a_usage_error_naming_it_and_the_known_ones()
    {
        var (code, _, stderr) = await CodecCli.RunAsync("encode", "--codec", "speex", "--in", "x.wav", "--out", "x.spx");
        Assert.Equal(2, code);
        Assert.Contains("unknown codec 'speex'", stderr);
        Assert.Contains("pcmu", stderr);
    }

    [Theory]
    [InlineData("Missing --out", new[] { "encode", "--codec", "pcmu", "--in", "a.wav" }, "--out FILE is required")]
    [InlineData("Bitrate on G.711", new[] { "encode", "--codec", "pcmu", "--in", "a.wav", "--out", "b", "--bitrate", "8000" }, "--bitrate does not apply to pcmu")]
    [InlineData("Unknown option", new[] { "decode", "--codec", "pcmu", "--in", "a", "--out", "b.wav", "--loud" }, "unknown option '--loud'")]
    [InlineData("Unknown subcommand", new[] { "transcode" }, "unknown codec subcommand 'transcode'")]
    public async Task Bad_command_lines_exit_2_saying_what_is_wrong(string what, string[] args, string message)
    {
        var (code, _, stderr) = await CodecCli.RunAsync(args);
        Assert.True(code == 2, $"{what}: exit {code}, {stderr}");
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Input_that_is_not_a_wav_is_a_runtime_error_naming_the_file()
    {
        string bogus = Path.Combine(_dir, "bogus.wav");
        await File.WriteAllTextAsync(bogus, "this is not audio at all, just text");
        var (code, _, stderr) = await CodecCli.RunAsync("encode", "--codec", "pcma", "--in", bogus, "--out", Path.Combine(_dir, "x.pcma"));
        Assert.Equal(1, code);
        Assert.Contains("bogus.wav is not a WAV file", stderr);

        (code, _, stderr) = await CodecCli.RunAsync("encode", "--codec", "pcma", "--in", Path.Combine(_dir, "absent.wav"), "--out", Path.Combine(_dir, "x.pcma"));
        Assert.Equal(1, code);
        Assert.Contains("absent.wav", stderr);
    }

    [Theory]
    [InlineData("opus", "is not an Ogg Opus file")]
    [InlineData("ilbc", "Not an iLBC storage file (RFC 3952)")]
    public async Task A_file_not_in_the_codec_format_is_a_runtime_error(string codec, string message)
    {
        string bad = Path.Combine(_dir, "bad." + codec);
        await File.WriteAllTextAsync(bad, "RIFF but not really; some text that is no codec file");
        var (code, _, stderr) = await CodecCli.RunAsync("decode", "--codec", codec, "--in", bad, "--out", Path.Combine(_dir, "x.wav"));
        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
        Assert.Contains("bad." + codec, stderr);
    }

    [Fact]
    public async Task A_g729_file_of_broken_length_is_a_runtime_error()
    {
        string bad = Path.Combine(_dir, "bad.g729");
        await File.WriteAllBytesAsync(bad, new byte[25]);
        var (code, _, stderr) = await CodecCli.RunAsync("decode", "--codec", "g729", "--in", bad, "--out", Path.Combine(_dir, "x.wav"));
        Assert.Equal(1, code);
        Assert.Contains("25 bytes is not a whole number of 10-byte frames", stderr);
    }

    [Fact]
    public async Task Missing_native_library_is_a_runtime_error_naming_library_and_package()
    {
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "in.wav"), ToneHz, TimeSpan.FromSeconds(1));
        var env = new Dictionary<string, string> { ["PIPELINE_BCG729_LIBRARY"] = "libbcg729-absent.so.0" };
        var (code, _, stderr) = await CodecCli.RunAsync(env, "encode", "--codec", "g729", "--in", wav, "--out", Path.Combine(_dir, "x.g729"));
        Assert.Equal(1, code);
        Assert.Contains("libbcg729-absent.so.0", stderr);
        Assert.Contains("libbcg729-0", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.g729")), "no output file when the codec cannot run");

        var (listCode, listing, _) = await CodecCli.RunAsync(env, "list");
        Assert.Equal(0, listCode);
        Assert.Matches(@"g729 .*no: G\.729 needs the native library libbcg729-absent\.so\.0", listing);
    }

    private string WriteTestWav(int rate)
    {
        // A tone with a slow level sweep and some noise, so many codes are used.
        var rng = new Random(rate);
        var pcm = new short[rate * 2];
        for (int i = 0; i < pcm.Length; i++)
        {
            double env = 0.05 + (0.9 * i / pcm.Length);
            pcm[i] = (short)Math.Clamp((env * 20000 * Math.Sin(2 * Math.PI * 437 * i / rate)) + rng.Next(-500, 500), short.MinValue, short.MaxValue);
        }

        string path = Path.Combine(_dir, $"test{rate}.wav");
        TestAudio.WriteWav(path, pcm, rate, WavEncoding.Pcm16);
        return path;
    }

    private static (int Rate, double Level) AssertTone(string wav, double minLevel, string what)
    {
        ToneCheck.AssertTone(wav, ToneHz, TimeSpan.FromSeconds(1.5), context: what);
        var samples = TestAudio.ReadWav(wav, out int rate);
        double level = ToneCheck.Amplitude(samples.AsSpan(rate / 5, rate), rate, ToneHz);
        Assert.True(level >= minLevel && level <= ToneAmplitude * 1.15, $"{what}: {ToneHz} Hz at {level:F3} of full scale, expected {minLevel}..{ToneAmplitude * 1.15:F3}");
        return (rate, level);
    }
}
