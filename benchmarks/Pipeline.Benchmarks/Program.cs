using BenchmarkDotNet.Running;
using Pipeline.Benchmarks.Load;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Pipeline.Benchmarks -- [BenchmarkDotNet args]</c> runs the suites;
/// <c>... -- load [options]</c> runs the SIP load tool (SIPp UAC against phone and against SIPp's own UAS).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            return SipLoadTool.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
