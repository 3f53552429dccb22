using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// An external program (SIPp, baresip, our CLI…) run by a test. Captures every stdout/stderr line
/// (thread-safe), lets a test wait for a line, and kills the whole process tree on dispose.
/// <see cref="Describe"/> renders the command line, exit state, captured output and any attached
/// diagnostic files, so a failing assertion can show what the peer saw.
/// </summary>
internal sealed partial class PeerProcess : IAsyncDisposable
{
    private const int MaxLines = 20_000;
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<LineWaiter> _waiters = [];
    private readonly List<string> _diagnosticFiles = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private PeerProcess(string name, Process process, string commandLine)
    {
        Name = name;
        _process = process;
        CommandLine = commandLine;
    }

    /// <summary>Short name used in messages ("sipp", "baresip A"…).</summary>
    public string Name { get; }

    /// <summary>The command line as started (for messages).</summary>
    public string CommandLine { get; }

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code, or null while running.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> (passed verbatim, no shell).
    /// stdin is redirected (so the child never reads the test runner's console); write to it with
    /// <see cref="WriteLineAsync"/>.
    /// </summary>
    public static PeerProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        var commandLine = fileName + " " + string.Join(' ', psi.ArgumentList.Select(Quote));
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var peer = new PeerProcess(name, process, commandLine);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, peer._stdoutClosed);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, peer._stderrClosed);
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"{name}: could not start '{commandLine}': {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Snapshot of the captured lines so far (stdout and stderr interleaved in arrival order).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>All captured output joined with newlines.</summary>
    public string Output => string.Join('\n', Lines);

    /// <summary>Adds a file (log, trace) whose content <see cref="Describe"/> appends when something fails.</summary>
    public void AttachDiagnosticFile(string path)
    {
        lock (_gate)
        {
            _diagnosticFiles.Add(path);
        }
    }

    /// <summary>
    /// Waits until a captured line (already captured or future) satisfies <paramref name="predicate"/>.
    /// Throws <see cref="PeerException"/> with the captured output on timeout, or when the process
    /// exits without printing such a line.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var waiter = new LineWaiter(predicate);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (predicate(line))
                {
                    return line;
                }
            }

            _waiters.Add(waiter);
        }

        try
        {
            var exited = Task.WhenAll(_process.WaitForExitAsync(CancellationToken.None), _stdoutClosed.Task, _stderrClosed.Task);
            var delay = Task.Delay(timeout, cancellationToken);
            var done = await Task.WhenAny(waiter.Task, delay, exited).ConfigureAwait(false);
            if (done == waiter.Task)
            {
                return await waiter.Task.ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (waiter.Task.IsCompleted)
            {
                return await waiter.Task.ConfigureAwait(false);
            }

            var why = done == exited ? "exited before printing" : $"did not print within {timeout.TotalSeconds:0.#} s";
            throw new PeerException($"{Name} {why} the expected line.\n{Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/> (ordinal).</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout, cancellationToken);

    /// <summary>
    /// Waits for a stdout/stderr line that is a JSON object satisfying <paramref name="predicate"/>
    /// (for programs printing one JSON event per line, like the CLI with --events). Non-JSON lines
    /// are ignored. Returns a detached copy of the object.
    /// </summary>
    public async Task<JsonElement> WaitForJsonAsync(Func<JsonElement, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        JsonElement found = default;
        await WaitForLineAsync(
            line =>
            {
                if (TryParseJsonObject(line, out var e) && predicate(e))
                {
                    found = e;
                    return true;
                }

                return false;
            },
            timeout,
            cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Waits for a JSON line whose string property <paramref name="property"/> equals <paramref name="value"/> (e.g. "event", "established").</summary>
    public Task<JsonElement> WaitForJsonAsync(string property, string value, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitForJsonAsync(e => e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() == value, timeout, cancellationToken);

    /// <summary>The captured lines that parse as JSON objects, in order.</summary>
    public IReadOnlyList<JsonElement> JsonLines
    {
        get
        {
            var result = new List<JsonElement>();
            foreach (var line in Lines)
            {
                if (TryParseJsonObject(line, out var e))
                {
                    result.Add(e);
                }
            }

            return result;
        }
    }

    /// <summary>Parses <paramref name="line"/> as a JSON object (leading/trailing blanks allowed).</summary>
    public static bool TryParseJsonObject(string line, out JsonElement element)
    {
        element = default;
        var t = line.AsSpan().Trim();
        if (t.Length < 2 || t[0] != '{' || t[^1] != '}')
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(t.ToString());
            element = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits for the process to exit and its output to be fully read; returns the exit code.
    /// Throws <see cref="PeerException"/> (with output) if it is still running after <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PeerException($"{Name} still running after {timeout.TotalSeconds:0.#} s.\n{Describe()}");
        }
        catch (TimeoutException)
        {
            // Output pipes held open by a grandchild: the exit code is known, go on.
        }

        return _process.ExitCode;
    }

    /// <summary>Writes one line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a POSIX signal (15 = SIGTERM, 10 = SIGUSR1…) to the process; no-op once exited or on Windows.</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited && !OperatingSystem.IsWindows())
        {
            _ = NativeKill(_process.Id, signal);
        }
    }

    /// <summary>Sends SIGTERM (clean shutdown for baresip, SIPp…).</summary>
    public void Terminate() => Signal(15);

    /// <summary>
    /// Human-readable state for assertion messages: command line, exit code, the last captured lines
    /// and the tail of every attached diagnostic file.
    /// </summary>
    public string Describe(int maxLines = 200)
    {
        var sb = new StringBuilder();
        sb.Append("--- ").Append(Name).Append(" (pid ").Append(SafeId()).Append(") ").Append(CommandLine).Append('\n');
        sb.Append("--- state: ").Append(_process.HasExited ? $"exited with code {_process.ExitCode}" : "running").Append('\n');
        string[] lines;
        string[] files;
        lock (_gate)
        {
            lines = [.. _lines];
            files = [.. _diagnosticFiles];
        }

        sb.Append("--- output (").Append(lines.Length).Append(" lines").Append(lines.Length > maxLines ? $", last {maxLines}" : string.Empty).Append("):\n");
        foreach (var l in lines.AsSpan(Math.Max(0, lines.Length - maxLines)))
        {
            sb.Append(l).Append('\n');
        }

        foreach (var f in files)
        {
            sb.Append("--- file ").Append(f).Append(":\n");
            try
            {
                if (File.Exists(f))
                {
                    var text = File.ReadAllText(f);
                    sb.Append(text.Length > 20_000 ? "…" + text[^20_000..] : text).Append('\n');
                }
                else
                {
                    sb.Append("(missing)\n");
                }
            }
            catch (IOException ex)
            {
                sb.Append("(unreadable: ").Append(ex.Message).Append(")\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Kills the process tree if it is still running and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (OperationCanceledException)
        {
            // Could not reap it within 5 s; nothing more to do from a test.
        }

        _process.Dispose();
    }

    private string SafeId()
    {
        try
        {
            return _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private void OnLine(string? data, TaskCompletionSource closed)
    {
        if (data is null)
        {
            closed.TrySetResult();
            return;
        }

        List<LineWaiter>? hit = null;
        lock (_gate)
        {
            if (_lines.Count >= MaxLines)
            {
                _lines.RemoveAt(0);
            }

            _lines.Add(data);
            foreach (var w in _waiters)
            {
                if (w.Predicate(data))
                {
                    (hit ??= []).Add(w);
                }
            }
        }

        if (hit is not null)
        {
            foreach (var w in hit)
            {
                w.TrySet(data);
            }
        }
    }

    private static string Quote(string a) => a.Length > 0 && !a.Any(char.IsWhiteSpace) && !a.Contains('"') ? a : "\"" + a.Replace("\"", "\\\"") + "\"";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);

    private sealed class LineWaiter(Func<string, bool> predicate)
    {
        private readonly TaskCompletionSource<string> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<string, bool> Predicate { get; } = predicate;

        public Task<string> Task => _tcs.Task;

        public void TrySet(string line) => _tcs.TrySetResult(line);
    }
}
