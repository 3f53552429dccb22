using Pipeline.Cli;

// Pipeline.Cli: `demo` (the embedded default) and `phone` (the scriptable softphone).
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Out.WriteLine("usage: Pipeline.Cli demo [--out FILE.wav] | phone [options] (phone --help)");
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
        default:
            throw new UsageException($"unknown command '{args[0]}' (expected demo or phone)");
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"Pipeline.Cli: {ex.Message}");
    return 2;
}
