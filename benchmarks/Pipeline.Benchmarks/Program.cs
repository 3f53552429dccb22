using BenchmarkDotNet.Running;

namespace Pipeline.Benchmarks;

/// <summary>Runs the suites picked by the command line, e.g. <c>--filter '*G711*' --job short</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
