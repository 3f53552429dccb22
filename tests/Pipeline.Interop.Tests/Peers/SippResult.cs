namespace Pipeline.Interop.Tests.Peers;

/// <summary>Outcome of a SIPp run: exit code and the trace files it wrote.</summary>
/// <param name="ExitCode">0 all calls succeeded, 1 at least one failed, 97 internal command exit, 99 no call processed, 255 fatal, 254 socket bind error.</param>
/// <param name="ErrorLog">Content of -trace_err (unexpected messages), empty if none.</param>
/// <param name="MessageLog">Content of -trace_msg (every SIP message sent and received).</param>
/// <param name="ScreenLog">Content of -trace_screen (final statistics screen).</param>
/// <param name="Output">SIPp's stdout/stderr.</param>
internal sealed record SippResult(int ExitCode, string ErrorLog, string MessageLog, string ScreenLog, string Output)
{
    /// <summary>True when every call went through the scenario.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Everything useful for an assertion message.</summary>
    public string Describe() =>
        $"SIPp exit code {ExitCode}\n--- errors:\n{ErrorLog}\n--- screen:\n{ScreenLog}\n--- messages:\n{MessageLog}\n--- output (tail):\n{Tail(Output, 4000)}";

    private static string Tail(string s, int n) => s.Length <= n ? s : "…" + s[^n..];
}
