using System.Globalization;
using System.Net;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Pipeline.Sip;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;

namespace Pipeline.Cli;

/// <summary>
/// <c>demo</c>: two endpoints in this process on loopback. Alice calls Bob and sends a 1 kHz tone;
/// Bob answers and records the call; after a few seconds Alice hangs up. Prints the call statistics
/// and what Bob's recording holds, and exits 0 when the tone arrived.
/// <code>
///   alice: tone 1 kHz ─► PCMU ─► RTP ══ UDP 127.0.0.1 ══► bob: RTP ─► jitter buffer ─► PCMU ─► recorder (left = received)
/// </code>
/// </summary>
internal static class DemoCommand
{
    private const double ToneHz = 1000;

    public static async Task<int> RunAsync(string[] args, CancellationToken stop)
    {
        string output = Path.Combine(Path.GetTempPath(), "pipeline-demo", "bob.wav");
        double seconds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length:
                    output = Path.GetFullPath(args[++i]);
                    break;
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0.5 && s <= 60:
                    seconds = s;
                    i++;
                    break;
                default:
                    throw new UsageException($"demo: unknown or incomplete option '{args[i]}' (options: --out FILE.wav, --seconds 0.5..60)");
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var clock = MediaClock.Shared;

        var bobMedia = new CallMediaFactory(new CallMediaOptions
        {
            Clock = clock,
            Source = ctx =>
            {
                var silence = new SilenceSourceNode("silence", ctx.SampleRate);
                return new AudioSourceBinding(silence, silence.Output);
            },
            Recorder = ctx =>
            {
                var r = new StereoRecorderNode("recorder", output, ctx.SampleRate);
                return new CallRecorderBinding(r, r.Left, r.Right);
            },
        });
        var aliceMedia = new CallMediaFactory(new CallMediaOptions
        {
            Clock = clock,
            Source = ctx =>
            {
                var tone = new ToneSourceNode("tone", ToneHz, 0.3, ctx.SampleRate);
                return new AudioSourceBinding(tone, tone.Output);
            },
        });

        await using var bob = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), UserName = "bob", AutoAnswer = true }, bobMedia);
        await using var alice = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), UserName = "alice" }, aliceMedia);
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.IncomingCall += (_, c) => bobCall.TrySetResult(c);
        await bob.StartAsync(stop);
        await alice.StartAsync(stop);

        string target = $"sip:bob@{bob.LocalEndPoint}";
        Console.WriteLine($"demo: alice ({alice.LocalEndPoint}) calls {target} and sends a {ToneHz} Hz tone for {seconds} s");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var call = await alice.CallAsync(target, timeout.Token);
        var incoming = await bobCall.Task.WaitAsync(timeout.Token);
        Console.WriteLine($"demo: established, codec {call.CurrentMedia?.Codec.Name}, alice sends RTP to {call.CurrentMedia?.RemoteRtp}");

        await Task.Delay(TimeSpan.FromSeconds(seconds), stop);
        await call.HangupAsync();
        await incoming.Completion.WaitAsync(TimeSpan.FromSeconds(5), stop);

        Print("alice", call);
        Print("bob", incoming);

        var (format, samples) = WavFile.ReadAll(output);
        var left = Channel(samples, format.Channels, 0);
        if (left.Length < format.SampleRate.Hertz / 2)
        {
            Console.WriteLine($"demo: FAILED: the recording {output} holds only {left.Length} samples");
            return 1;
        }

        // Analyse the middle: skip the jitter buffer's start and the hang-up at the end (200 ms each).
        int edge = Math.Min(left.Length / 4, format.SampleRate.Hertz / 5);
        var body = left.AsSpan(edge, left.Length - (2 * edge));
        double dominant = AudioAnalysis.DominantFrequency(body, format.SampleRate);
        double snr = AudioAnalysis.ToneSnrDb(body, format.SampleRate, ToneHz);
        Console.WriteLine($"demo: recording {output}: {format.SampleRate.DurationOf(left.Length).TotalSeconds:F2} s, received channel dominant frequency {dominant:F0} Hz, tone SNR {snr:F1} dB");
        bool ok = Math.Abs(dominant - ToneHz) < 20 && snr > 20;
        Console.WriteLine(ok ? "demo: OK, bob received alice's tone" : "demo: FAILED, the tone did not arrive intact");
        return ok ? 0 : 1;
    }

    private static void Print(string who, Call call)
    {
        var s = call.Media.Statistics;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"demo: {who}: codec {s.Codec}, RTP sent {s.PacketsSent} packets ({s.OctetsSent} B), received {s.PacketsReceived} ({s.OctetsReceived} B), lost {s.PacketsLost} (concealed {s.FramesConcealed} frames, {s.FecRecovered} rebuilt from FEC), jitter {s.Jitter.TotalMilliseconds:F2} ms, ended: {call.EndReason}"));
    }

    private static short[] Channel(short[] interleaved, int channels, int channel)
    {
        var r = new short[interleaved.Length / channels];
        for (int i = 0; i < r.Length; i++) r[i] = interleaved[(i * channels) + channel];
        return r;
    }
}
