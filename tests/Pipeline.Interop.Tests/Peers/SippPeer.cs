using System.Globalization;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// One SIPp process running a scenario from Scenarios/ (UAC when <see cref="SippOptions.Remote"/> is
/// set, UAS otherwise) on 127.0.0.1 with its own SIP, media and control ports. The scenario text is
/// copied to a scratch folder with its {{NAME}} placeholders filled in (SIPp does not substitute
/// keywords inside &lt;exec rtp_stream&gt;). SIPp writes -trace_err/-trace_msg/-trace_screen files
/// there; <see cref="WaitForExitAsync"/> returns them, <see cref="AssertSucceededAsync"/> puts them in
/// the failure message.
/// </summary>
internal sealed class SippPeer : IAsyncDisposable
{
    private const int BindErrorExitCode = 254;
    private readonly string _errorFile;
    private readonly string _messageFile;
    private readonly string _screenFile;
    private SippResult? _result;

    private SippPeer(PeerProcess process, SippOptions options, string workDirectory, int sipPort, int mediaPort)
    {
        Process = process;
        Options = options;
        WorkDirectory = workDirectory;
        SipPort = sipPort;
        MediaPort = mediaPort;
        _errorFile = Path.Combine(workDirectory, "errors.log");
        _messageFile = Path.Combine(workDirectory, "messages.log");
        _screenFile = Path.Combine(workDirectory, "screen.log");
        process.AttachDiagnosticFile(_errorFile);
        process.AttachDiagnosticFile(_messageFile);
    }

    /// <summary>The SIPp process (captured output, Describe()).</summary>
    public PeerProcess Process { get; }

    /// <summary>The options it was started with.</summary>
    public SippOptions Options { get; }

    /// <summary>Scratch folder: scenario copy and trace files.</summary>
    public string WorkDirectory { get; }

    /// <summary>Local SIP UDP port (-p).</summary>
    public int SipPort { get; }

    /// <summary>Local RTP port (-mp): where SIPp's SDP points and where rtp_stream sends from.</summary>
    public int MediaPort { get; }

    /// <summary>SIP URI that reaches this SIPp when it runs a UAS scenario.</summary>
    public string Uri => $"sip:{Options.Service}@127.0.0.1:{SipPort}";

    /// <summary>
    /// UAC convenience: call <paramref name="target"/> ("127.0.0.1:5070"), stream <paramref name="wavFile"/>
    /// (G.711 WAV, see <see cref="SippOptions.RtpStreamFile"/>) for <paramref name="talk"/>, then BYE.
    /// </summary>
    public static Task<SippPeer> CallAsync(string target, string wavFile, TimeSpan talk, int payloadType = 0, string service = "pipeline", CancellationToken cancellationToken = default)
        => StartAsync(
            new SippOptions
            {
                Scenario = "uac_rtp_stream.xml",
                Remote = target,
                Service = service,
                RtpStreamFile = wavFile,
                PayloadType = payloadType,
                PauseDuration = talk,
                Timeout = talk + TimeSpan.FromSeconds(20),
            },
            cancellationToken);

    /// <summary>
    /// UAS convenience: answer one call to <see cref="Uri"/>, stream <paramref name="wavFile"/> after the ACK,
    /// and wait up to <paramref name="byeTimeout"/> for the caller's BYE.
    /// </summary>
    public static Task<SippPeer> AnswerAsync(string wavFile, TimeSpan byeTimeout, int payloadType = 0, string service = "pipeline", CancellationToken cancellationToken = default)
        => StartAsync(
            new SippOptions
            {
                Scenario = "uas_rtp_stream.xml",
                Service = service,
                RtpStreamFile = wavFile,
                PayloadType = payloadType,
                Timeout = byeTimeout + TimeSpan.FromSeconds(30),
                Variables = new Dictionary<string, string> { ["BYE_TIMEOUT_MS"] = ((int)byeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) },
            },
            cancellationToken);

    /// <summary>
    /// Starts SIPp. Retries with new ports (up to 3 times) when SIPp fails to bind. Returns once SIPp
    /// has been running for a moment without a bind error.
    /// </summary>
    public static async Task<SippPeer> StartAsync(SippOptions options, CancellationToken cancellationToken = default)
    {
        var sipp = Tools.Require("sipp");
        var scenarioText = File.ReadAllText(PeerDirectory.Scenario(options.Scenario));
        var vars = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PAYLOAD_TYPE"] = options.PayloadType.ToString(CultureInfo.InvariantCulture),
            ["RTPMAP"] = options.PayloadType switch { 0 => "PCMU/8000", 8 => "PCMA/8000", _ => throw new ArgumentException($"payload type {options.PayloadType} has no built-in rtpmap; pass RTPMAP in Variables") },
            ["BYE_TIMEOUT_MS"] = "30000",
        };
        if (options.RtpStreamFile is not null)
        {
            if (!File.Exists(options.RtpStreamFile))
            {
                throw new FileNotFoundException($"rtp_stream file not found: {options.RtpStreamFile}", options.RtpStreamFile);
            }

            vars["RTP_STREAM"] = "{{RTP_STREAM_FILE}}," + $"{options.RtpStreamLoops},{options.PayloadType}";
        }

        vars["SDP_MEDIA_PORT"] = options.SdpMediaPort?.ToString(CultureInfo.InvariantCulture) ?? "[media_port]";

        foreach (var (k, v) in options.Variables)
        {
            vars[k] = v;
        }

        foreach (var (k, v) in vars)
        {
            scenarioText = scenarioText.Replace("{{" + k + "}}", v, StringComparison.Ordinal);
        }

        var unfilled = scenarioText.Replace("{{RTP_STREAM_FILE}}", string.Empty, StringComparison.Ordinal).IndexOf("{{", StringComparison.Ordinal);
        if (unfilled >= 0)
        {
            var end = scenarioText.IndexOf("}}", unfilled, StringComparison.Ordinal);
            throw new ArgumentException($"scenario {options.Scenario}: placeholder {scenarioText[unfilled..(end < 0 ? unfilled + 20 : end + 2)]} has no value (set it in SippOptions)");
        }

        for (var attempt = 1; ; attempt++)
        {
            var dir = PeerDirectory.Create("sipp");
            var scenarioPath = Path.Combine(dir, Path.GetFileName(options.Scenario));
            var text = scenarioText;
            if (options.RtpStreamFile is not null)
            {
                text = text.Replace("{{RTP_STREAM_FILE}}", PrepareRtpStreamFile(options.RtpStreamFile, options.PayloadType, dir), StringComparison.Ordinal);
            }

            await File.WriteAllTextAsync(scenarioPath, text, cancellationToken).ConfigureAwait(false);
            var sipPort = options.SipPort ?? FreePorts.UdpAndTcp();
            var mediaPort = options.MediaPort ?? FreePorts.Block(4, tcpToo: false, even: true);
            var controlPort = FreePorts.Udp();
            var args = new List<string>();
            if (options.Remote is not null)
            {
                args.Add(options.Remote);
            }

            args.AddRange(
            [
                "-sf", scenarioPath,
                "-s", options.Service,
                "-i", "127.0.0.1",
                "-p", sipPort.ToString(CultureInfo.InvariantCulture),
                "-mi", "127.0.0.1",
                "-mp", mediaPort.ToString(CultureInfo.InvariantCulture),
                "-cp", controlPort.ToString(CultureInfo.InvariantCulture),
                "-m", options.Calls.ToString(CultureInfo.InvariantCulture),
                "-d", ((int)options.PauseDuration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                "-timeout", ((int)Math.Ceiling(options.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s",
                "-timeout_error",
                "-nostdin",
                "-trace_err", "-error_file", Path.Combine(dir, "errors.log"),
                "-trace_msg", "-message_file", Path.Combine(dir, "messages.log"),
                "-trace_screen", "-screen_file", Path.Combine(dir, "screen.log"),
            ]);
            args.AddRange(options.ExtraArguments);

            var process = PeerProcess.Start(options.Name, sipp, args, workingDirectory: dir);
            var peer = new SippPeer(process, options, dir, sipPort, mediaPort);

            // SIPp binds its sockets at start-up; a port taken since FreePorts checked it shows up at once.
            try
            {
                await process.WaitForExitAsync(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
            }
            catch (PeerException)
            {
                return peer; // still running: ports are bound
            }

            var bindFailure = process.ExitCode == BindErrorExitCode || process.Output.Contains("already in use", StringComparison.OrdinalIgnoreCase);
            if (!bindFailure || attempt >= 3 || options.SipPort is not null || options.MediaPort is not null)
            {
                return peer; // finished (or failed) fast; the caller sees the result via WaitForExitAsync
            }

            await peer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for SIPp to exit (default: the scenario timeout plus 10 s) and collects its trace files.</summary>
    public async Task<SippResult> WaitForExitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_result is not null)
        {
            return _result;
        }

        var code = await Process.WaitForExitAsync(timeout ?? Options.Timeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        _result = new SippResult(code, ReadOrEmpty(_errorFile), ReadOrEmpty(_messageFile), ReadOrEmpty(_screenFile), Process.Output);
        return _result;
    }

    /// <summary>SIPp's message trace so far (while it runs), for a failure message.</summary>
    public string MessageLogSoFar() => ReadOrEmpty(_messageFile);

    /// <summary>Waits for exit and throws with SIPp's traces unless every call succeeded (exit code 0).</summary>
    public async Task<SippResult> AssertSucceededAsync(TimeSpan? timeout = null, string? context = null, CancellationToken cancellationToken = default)
    {
        var result = await WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new Xunit.Sdk.XunitException($"{Options.Name} ({Options.Scenario}) failed: {result.Describe()}" + (context is null ? string.Empty : "\n" + context));
        }

        return result;
    }

    /// <summary>Kills SIPp if still running and removes the scratch folder (unless PIPELINE_KEEP_PEER_FILES=1).</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        PeerDirectory.Remove(WorkDirectory);
    }

    /// <summary>
    /// SIPp 3.6.1's rtp_stream sends the file's bytes as they are, 160 per 20 ms packet: a WAV header
    /// would go out as a burst of noise and PCM16 would be garbage. A WAV file (any of the encodings
    /// <see cref="TestAudio.ReadWav"/> reads, 8 kHz) is therefore converted to headerless G.711 of the
    /// payload type; any other file is assumed to be headerless G.711 already.
    /// </summary>
    private static string PrepareRtpStreamFile(string file, int payloadType, string dir)
    {
        Span<byte> magic = stackalloc byte[4];
        using (var f = File.OpenRead(file))
        {
            if (f.Read(magic) < 4 || !magic.SequenceEqual("RIFF"u8))
            {
                return Path.GetFullPath(file);
            }
        }

        var samples = TestAudio.ReadWav(file, out var rate);
        if (rate != 8000)
        {
            throw new ArgumentException($"rtp_stream file {file} is {rate} Hz; G.711 needs 8000 Hz");
        }

        var raw = new byte[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            raw[i] = payloadType == 8 ? TestG711.LinearToALaw(samples[i]) : TestG711.LinearToMuLaw(samples[i]);
        }

        var path = Path.Combine(dir, payloadType == 8 ? "stream.alaw" : "stream.ulaw");
        File.WriteAllBytes(path, raw);
        return path;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
