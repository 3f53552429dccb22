using System.Net;
using Pipeline.Codecs;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;
using Pipeline.Devices;
using Pipeline.Sip;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;

namespace Pipeline.Interop.Tests.Media;

/// <summary>Two real endpoints on 127.0.0.1 with real media graphs: each sends its own tone and records its calls.</summary>
internal sealed class MediaCallFixture : IAsyncDisposable
{
    private readonly TaskCompletionSource<Call> _incoming = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MediaCallFixture(string dir, MediaClock clock, Endpoint alice, Endpoint bob)
    {
        Directory = dir;
        Clock = clock;
        Alice = alice;
        Bob = bob;
        bob.IncomingCall += (_, c) => _incoming.TrySetResult(c);
    }

    public string Directory { get; }

    public MediaClock Clock { get; }

    public Endpoint Alice { get; }

    public Endpoint Bob { get; }

    public Task<Call> BobIncoming => _incoming.Task;

    public string AliceRecording(Call c) => Path.Combine(Directory, "alice-" + Safe(c.CallId) + ".wav");

    public string BobRecording(Call c) => Path.Combine(Directory, "bob-" + Safe(c.CallId) + ".wav");

    /// <param name="aliceToneHz">Alice's tone.</param>
    /// <param name="bobToneHz">Bob's tone.</param>
    /// <param name="bobAutoAnswer">Bob answers by himself.</param>
    /// <param name="codecs">Both endpoints' codec names (default PCMU, PCMA).</param>
    /// <param name="audioRate">Both sides' call audio rate (CallMediaOptions.AudioRate); null: the first codec's.</param>
    /// <param name="registry">Both endpoints' codec registry (signalling and media); null: <see cref="CodecRegistry.Default"/>.</param>
    /// <param name="aliceMedia">Wraps alice's media factory (e.g. to send her RTP through a lossy relay); null: as is.</param>
    /// <param name="aliceSource">Makes alice's audio source instead of her tone; null: the tone.</param>
    public static async Task<MediaCallFixture> StartAsync(double aliceToneHz, double bobToneHz, bool bobAutoAnswer = true, IReadOnlyList<string>? codecs = null, SampleRate? audioRate = null, CodecRegistry? registry = null, Func<ICallMediaFactory, ICallMediaFactory>? aliceMedia = null, Func<CallAudioContext, AudioSourceNode>? aliceSource = null)
    {
        codecs ??= ["PCMU", "PCMA"];
        registry ??= CodecRegistry.Default;
        string dir = Path.Combine(Path.GetTempPath(), "pipeline-media-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var clock = new MediaClock(TimeSpan.FromMilliseconds(20));
        clock.Start();
        ICallMediaFactory aliceFactory = Factory(clock, dir, "alice", aliceToneHz, audioRate, registry, aliceSource);
        if (aliceMedia is not null) aliceFactory = aliceMedia(aliceFactory);
        var alice = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), UserName = "alice", Codecs = codecs, CodecRegistry = registry }, aliceFactory);
        var bob = new Endpoint(new EndpointOptions { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0), UserName = "bob", AutoAnswer = bobAutoAnswer, Codecs = codecs, CodecRegistry = registry }, Factory(clock, dir, "bob", bobToneHz, audioRate, registry));
        var f = new MediaCallFixture(dir, clock, alice, bob);
        await alice.StartAsync();
        await bob.StartAsync();
        return f;
    }

    private static CallMediaFactory Factory(MediaClock clock, string dir, string who, double toneHz, SampleRate? audioRate, CodecRegistry registry, Func<CallAudioContext, AudioSourceNode>? source = null) => new(new CallMediaOptions
    {
        Clock = clock,
        Codecs = registry,
        AudioRate = audioRate,
        RtcpInterval = TimeSpan.FromSeconds(1),
        Source = ctx =>
        {
            var tone = source?.Invoke(ctx) ?? new ToneSourceNode("tone", toneHz, 0.3, ctx.SampleRate);
            return new AudioSourceBinding(tone, tone.Output);
        },
        Recorder = ctx =>
        {
            var r = new StereoRecorderNode("recorder", Path.Combine(dir, who + "-" + Safe(ctx.CallId) + ".wav"), ctx.SampleRate);
            return new CallRecorderBinding(r, r.Left, r.Right);
        },
    });

    private static string Safe(string callId) => string.Concat(callId.Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    public async ValueTask DisposeAsync()
    {
        await Alice.DisposeAsync();
        await Bob.DisposeAsync();
        await Clock.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
