using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// A baresip (1.0, Debian build) user agent on 127.0.0.1 with no sound device:
/// <code>
///   WAV file --aufile--> sndfile(enc dump) --> PCMU/PCMA --> RTP      (what it sends)
///   RTP --> PCMU/PCMA --> sndfile(dec dump) --> alsa "null" device     (what it receives)
/// </code>
/// It runs with a generated config folder (-f DIR): modules g711, aufile, alsa (null PCM sink),
/// sndfile (writes DIR/rec/dump-TIMESTAMP-{enc,dec}.wav per call), menu (commands, auto-answer) and
/// ctrl_tcp (JSON commands and events over TCP netstrings). It is driven over ctrl_tcp:
/// <see cref="DialAsync"/>, <see cref="HangupAsync"/>, <see cref="CommandAsync"/>, and observed
/// through <see cref="WaitForEventAsync"/>. <see cref="StopAsync"/> quits cleanly so the recordings
/// are finalised; read them with <see cref="ReceivedRecording"/> afterwards.
/// </summary>
internal sealed class BaresipPeer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly object _gate = new();
    private readonly List<BaresipEvent> _events = [];
    private readonly List<(Func<BaresipEvent, bool> Predicate, TaskCompletionSource<BaresipEvent> Tcs)> _eventWaiters = [];
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _readerCts = new();
    private TcpClient? _control;
    private Task? _reader;
    private int _token;

    private BaresipPeer(PeerProcess process, BaresipOptions options, string configDirectory, int sipPort, int controlPort, string audioSource)
    {
        Process = process;
        Options = options;
        ConfigDirectory = configDirectory;
        SipPort = sipPort;
        ControlPort = controlPort;
        AudioSourceFile = audioSource;
    }

    /// <summary>The baresip process (captured output, Describe()).</summary>
    public PeerProcess Process { get; }

    /// <summary>Options it was started with.</summary>
    public BaresipOptions Options { get; }

    /// <summary>The -f folder: config, accounts, rec/.</summary>
    public string ConfigDirectory { get; }

    /// <summary>Folder where sndfile writes dump-*-enc.wav (sent) and dump-*-dec.wav (received).</summary>
    public string RecordingDirectory => Path.Combine(ConfigDirectory, "rec");

    /// <summary>SIP port (UDP and TCP; baresip also listens for TLS on SipPort + 1).</summary>
    public int SipPort { get; }

    /// <summary>ctrl_tcp port.</summary>
    public int ControlPort { get; }

    /// <summary>The WAV file it sends.</summary>
    public string AudioSourceFile { get; }

    /// <summary>Its address: sip:USER@127.0.0.1:PORT (dial this to reach it).</summary>
    public string Uri => $"sip:{Options.User}@127.0.0.1:{SipPort}";

    /// <summary>"127.0.0.1:PORT", the form SIPp takes as its target.</summary>
    public string HostPort => $"127.0.0.1:{SipPort}";

    /// <summary>Snapshot of the events received so far.</summary>
    public IReadOnlyList<BaresipEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// Writes the config, starts baresip, waits for "baresip is ready." and connects to ctrl_tcp.
    /// Retries with new ports (up to 3 times) if a port was taken meanwhile.
    /// </summary>
    public static async Task<BaresipPeer> StartAsync(BaresipOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BaresipOptions();
        var baresip = Tools.Require("baresip");
        for (var attempt = 1; ; attempt++)
        {
            var dir = PeerDirectory.Create("baresip");
            Directory.CreateDirectory(Path.Combine(dir, "rec"));
            var source = options.AudioSourceFile ?? TestAudio.WriteToneWav(Path.Combine(dir, "source.wav"), options.ToneHz, options.SourceDuration, sampleRate: options.SourceSampleRate, channels: options.SourceChannels);
            var sipPort = FreePorts.Block(2, tcpToo: true, even: false); // SIP UDP+TCP on P, TLS on P+1
            var controlPort = FreePorts.UdpAndTcp();
            await File.WriteAllTextAsync(Path.Combine(dir, "config"), Config(options, dir, sipPort, controlPort, source), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(dir, "accounts"), Account(options, sipPort) + "\n", cancellationToken).ConfigureAwait(false);

            var process = PeerProcess.Start(options.Name, baresip, options.SipTrace ? ["-s", "-f", dir] : ["-f", dir], workingDirectory: dir);
            process.AttachDiagnosticFile(Path.Combine(dir, "config"));
            process.AttachDiagnosticFile(Path.Combine(dir, "accounts"));
            var peer = new BaresipPeer(process, options, dir, sipPort, controlPort, source);
            try
            {
                await process.WaitForLineAsync("baresip is ready.", StartTimeout, cancellationToken).ConfigureAwait(false);
                if (process.Output.Contains("failed to listen", StringComparison.Ordinal))
                {
                    // ctrl_tcp could not bind its port (taken meanwhile): connecting would reach someone else.
                    throw new PeerException($"{options.Name}: ctrl_tcp port {controlPort} already in use\n{process.Describe()}");
                }

                await peer.ConnectControlAsync(cancellationToken).ConfigureAwait(false);
                return peer;
            }
            catch (PeerException) when (attempt < 3 && process.Output.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                await peer.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await peer.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Sends a ctrl_tcp command (any menu command: "dial", "hangup", "accept", "quit", "listcalls"…)
    /// and returns the response's data text. Throws if baresip answers ok=false or not within 5 s.
    /// </summary>
    public async Task<string> CommandAsync(string command, string parameters = "", CancellationToken cancellationToken = default)
    {
        var control = _control ?? throw new InvalidOperationException($"{Options.Name}: not connected to ctrl_tcp");
        var token = "t" + Interlocked.Increment(ref _token).ToString(CultureInfo.InvariantCulture);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending[token] = tcs;
        }

        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["command"] = command, ["params"] = parameters, ["token"] = token });
        var payload = Encoding.UTF8.GetBytes(json);
        var frame = Encoding.ASCII.GetBytes(payload.Length.ToString(CultureInfo.InvariantCulture) + ":").Concat(payload).Append((byte)',').ToArray();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await control.GetStream().WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        JsonElement response;
        try
        {
            response = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new PeerException($"{Options.Name}: no response to '{command} {parameters}' within 5 s.\n{Process.Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _pending.Remove(token);
            }
        }

        var data = response.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() ?? string.Empty : string.Empty;
        if (response.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
        {
            throw new PeerException($"{Options.Name}: command '{command} {parameters}' failed: {data}\n{Process.Describe()}");
        }

        return data;
    }

    /// <summary>Dials <paramref name="uri"/> (returns once baresip accepted the command; wait for CALL_ESTABLISHED yourself).</summary>
    public Task DialAsync(string uri, CancellationToken cancellationToken = default) => CommandAsync("dial", uri, cancellationToken);

    /// <summary>Dials and waits until the call is established; returns the CALL_ESTABLISHED event.</summary>
    public async Task<BaresipEvent> CallAsync(string uri, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await DialAsync(uri, cancellationToken).ConfigureAwait(false);
        return await WaitForEventAsync("CALL_ESTABLISHED", timeout ?? TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hangs up the current call (BYE, or CANCEL/486 before answer).</summary>
    public Task HangupAsync(CancellationToken cancellationToken = default) => CommandAsync("hangup", string.Empty, cancellationToken);

    /// <summary>Answers the ringing call (only needed with AutoAnswer = false).</summary>
    public Task AcceptAsync(CancellationToken cancellationToken = default) => CommandAsync("accept", string.Empty, cancellationToken);

    /// <summary>
    /// Waits for an event (already received or future) of <paramref name="type"/> that also satisfies
    /// <paramref name="predicate"/>. Throws <see cref="PeerException"/> with the captured output and the
    /// events seen on timeout.
    /// </summary>
    public async Task<BaresipEvent> WaitForEventAsync(string type, TimeSpan timeout, Func<BaresipEvent, bool>? predicate = null, CancellationToken cancellationToken = default)
    {
        bool Match(BaresipEvent e) => e.Type == type && (predicate is null || predicate(e));
        var tcs = new TaskCompletionSource<BaresipEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        (Func<BaresipEvent, bool>, TaskCompletionSource<BaresipEvent>) waiter = (Match, tcs);
        lock (_gate)
        {
            foreach (var e in _events)
            {
                if (Match(e))
                {
                    return e;
                }
            }

            _eventWaiters.Add(waiter);
        }

        try
        {
            return await tcs.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new PeerException($"{Options.Name}: no {type} event within {timeout.TotalSeconds:0.#} s; events: {string.Join(", ", Events.Select(e => e.Type))}\n{Process.Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _eventWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>The last dump-*-dec.wav (what it received and decoded), or null if none was written.</summary>
    public string? FindReceivedRecording() => Newest("*-dec.wav");

    /// <summary>The last dump-*-enc.wav (what it sent, before encoding), or null.</summary>
    public string? FindSentRecording() => Newest("*-enc.wav");

    /// <summary>The received-audio recording; throws with baresip's output if there is none.</summary>
    public string ReceivedRecording => FindReceivedRecording() ?? throw new PeerException($"{Options.Name}: no *-dec.wav recording in {RecordingDirectory}\n{Process.Describe()}");

    /// <summary>The sent-audio recording; throws with baresip's output if there is none.</summary>
    public string SentRecording => FindSentRecording() ?? throw new PeerException($"{Options.Name}: no *-enc.wav recording in {RecordingDirectory}\n{Process.Describe()}");

    /// <summary>
    /// Quits cleanly ("quit" over ctrl_tcp, then SIGTERM, then kill) so that sndfile closes and
    /// finalises the WAV headers. Safe to call twice.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Process.HasExited)
        {
            return;
        }

        try
        {
            if (_control is not null)
            {
                _ = await CommandAsync("quit", string.Empty, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is PeerException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Fall through to SIGTERM.
        }

        try
        {
            await Process.WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (PeerException)
        {
            Process.Terminate();
        }

        try
        {
            await Process.WaitForExitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        }
        catch (PeerException)
        {
            // DisposeAsync kills it.
        }
    }

    /// <summary>A description of the process, its output and the events seen, for assertion messages.</summary>
    public string Describe() => Process.Describe() + "--- events: " + string.Join(", ", Events.Select(e => e.Type + (e.Param is null ? string.Empty : "(" + e.Param + ")")));

    /// <summary>Stops baresip (cleanly if it can) and removes its folder unless PIPELINE_KEEP_PEER_FILES=1.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _readerCts.CancelAsync().ConfigureAwait(false);
            _control?.Dispose();
            if (_reader is not null)
            {
                try
                {
                    await _reader.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or IOException or SocketException or ObjectDisposedException)
                {
                }
            }

            await Process.DisposeAsync().ConfigureAwait(false);
            _readerCts.Dispose();
            _sendLock.Dispose();
            PeerDirectory.Remove(ConfigDirectory);
        }
    }

    private static string Config(BaresipOptions o, string dir, int sipPort, int controlPort, string source)
    {
        var sb = new StringBuilder();
        void Line(string key, string value) => sb.Append(key).Append('\t').Append(value).Append('\n');
        Line("poll_method", "epoll");
        Line("sip_listen", $"127.0.0.1:{sipPort}");
        Line("net_interface", "127.0.0.1"); // SDP c= line; "lo" is rejected by this build
        Line("call_local_timeout", "120");
        Line("call_max_calls", "4");
        Line("audio_player", "alsa,null"); // ALSA's built-in null PCM: paced sink, no device needed
        Line("audio_alert", "alsa,null");
        Line("audio_source", "aufile," + source);
        Line("audio_level", "no");
        Line("ausrc_format", "s16");
        Line("auplay_format", "s16");
        Line("auenc_format", "s16");
        Line("audec_format", "s16");
        Line("audio_buffer", "20-160");
        Line("rtp_ports", "10000-19999"); // below FreePorts' range and the ephemeral range
        Line("rtp_tos", "0");
        Line("rtcp_mux", "no");
        Line("jitter_buffer_delay", "1-10");
        Line("rtp_stats", "no");
        Line("module_path", "/usr/lib/baresip/modules");
        Line("module", "g711.so");
        foreach (var codec in o.Codecs)
        {
            if (CodecModule(codec) is { } module) Line("module", module);
        }

        Line("module", "aufile.so");
        Line("module", "alsa.so");
        Line("module", "sndfile.so");
        Line("snd_path", Path.Combine(dir, "rec"));
        Line("module_tmp", "uuid.so");
        Line("module_tmp", "account.so");
        Line("module_app", "menu.so");
        Line("module_app", "ctrl_tcp.so");
        Line("ctrl_tcp_listen", $"127.0.0.1:{controlPort}");
        Line("statmode_default", "off"); // otherwise the menu prints a status line every 100 ms
        Line("ringback_disabled", "yes");
        foreach (var extra in o.ExtraConfigLines)
        {
            sb.Append(extra).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The baresip module that brings a codec, beyond g711.</summary>
    private static string? CodecModule(string codec) => codec.ToUpperInvariant() switch
    {
        "G722" => "g722.so",
        "OPUS" => "opus.so",
        "G726-32" => "g726.so",
        "GSM" => "gsm.so",
        _ => null,
    };

    private static string Account(BaresipOptions o, int sipPort)
    {
        var line = $"<sip:{o.User}@127.0.0.1:{sipPort}>;regint=0";
        line += ";answermode=" + (o.AutoAnswer ? "auto" : "manual");
        line += ";audio_codecs=" + string.Join(',', o.Codecs.Select(c => string.Equals(c, "opus", StringComparison.OrdinalIgnoreCase) ? "opus/48000/2" : c)); // baresip assumes /8000/1
        return line + o.ExtraAccountParameters;
    }

    private string? Newest(string pattern)
    {
        if (!Directory.Exists(RecordingDirectory))
        {
            return null;
        }

        return Directory.GetFiles(RecordingDirectory, pattern).OrderBy(File.GetLastWriteTimeUtc).ThenBy(f => f, StringComparer.Ordinal).LastOrDefault();
    }

    private async Task ConnectControlAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", ControlPort, cancellationToken).ConfigureAwait(false);
                _control = client;
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !Process.HasExited)
            {
                client.Dispose();
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                client.Dispose();
                throw new PeerException($"{Options.Name}: cannot connect to ctrl_tcp on {ControlPort}: {ex.Message}\n{Process.Describe()}");
            }
        }

        _reader = Task.Run(() => ReadLoopAsync(_control.GetStream(), _readerCts.Token), CancellationToken.None);
    }

    // ctrl_tcp frames are netstrings: "<length>:<json>,".
    private async Task ReadLoopAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(4096);
        var chunk = new byte[4096];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
                while (TryTakeNetstring(buffer, out var json))
                {
                    OnMessage(json);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static bool TryTakeNetstring(List<byte> buffer, out string json)
    {
        json = string.Empty;
        var colon = buffer.IndexOf((byte)':');
        if (colon < 0)
        {
            return false;
        }

        var length = int.Parse(Encoding.ASCII.GetString(buffer.GetRange(0, colon).ToArray()), CultureInfo.InvariantCulture);
        if (buffer.Count < colon + 1 + length + 1)
        {
            return false;
        }

        json = Encoding.UTF8.GetString(buffer.GetRange(colon + 1, length).ToArray());
        buffer.RemoveRange(0, colon + 1 + length + 1);
        return true;
    }

    private void OnMessage(string json)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        if (root.TryGetProperty("response", out _))
        {
            var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
            TaskCompletionSource<JsonElement>? tcs = null;
            lock (_gate)
            {
                if (token is not null)
                {
                    _pending.TryGetValue(token, out tcs);
                }
            }

            tcs?.TrySetResult(root);
            return;
        }

        if (!root.TryGetProperty("event", out _))
        {
            return;
        }

        var ev = BaresipEvent.Parse(root, json);
        List<TaskCompletionSource<BaresipEvent>>? hit = null;
        lock (_gate)
        {
            _events.Add(ev);
            foreach (var (predicate, tcs) in _eventWaiters)
            {
                if (predicate(ev))
                {
                    (hit ??= []).Add(tcs);
                }
            }
        }

        if (hit is not null)
        {
            foreach (var tcs in hit)
            {
                tcs.TrySetResult(ev);
            }
        }
    }
}
