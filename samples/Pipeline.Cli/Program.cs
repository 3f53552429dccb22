using Pipeline.Cli;
using Pipeline.Cli.CodecTool;

// Pipeline.Cli: `demo` (the embedded default), `phone` (the scriptable softphone) and `codec` (file encode/decode).
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Out.WriteLine("usage: Pipeline.Cli demo [--out FILE.wav] | phone [options] (phone --help) | codec list|encode|decode (codec --help)");
    return args.Length == 0 ? 2 : 0;
}

try
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
        System.Runtime.InteropServices.PosixSignal.SIGTERM,
        ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });

    var rest = args.Skip(1).ToArray();
    switch (args[0])
    {
        case "demo":
            return await DemoCommand.RunAsync(rest, stop.Token);
        case "phone":
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                Console.Out.WriteLine(PhoneOptions.Usage);
                return 0;
            }

            return await PhoneCommand.RunAsync(PhoneOptions.Parse(rest), stop.Token);
        case "codec":
            return CodecCommand.Run(rest, Console.Out, Console.Error);
        default:
            throw new UsageException($"unknown command '{args[0]}' (expected demo, phone or codec)");
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"Pipeline.Cli: {ex.Message}");
    return 2;
}
