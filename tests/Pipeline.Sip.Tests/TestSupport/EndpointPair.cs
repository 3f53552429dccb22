using System.Net;
using Pipeline.Sip.Calls;

namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>Two endpoints on 127.0.0.1 with OS-chosen ports; short T1 keeps failure paths fast.</summary>
internal sealed class EndpointPair : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private EndpointPair(Endpoint alice, Endpoint bob, FakeMediaFactory aliceMedia, FakeMediaFactory bobMedia)
    {
        Alice = alice;
        Bob = bob;
        AliceMedia = aliceMedia;
        BobMedia = bobMedia;
    }

    public Endpoint Alice { get; }

    public Endpoint Bob { get; }

    public FakeMediaFactory AliceMedia { get; }

    public FakeMediaFactory BobMedia { get; }

    public string BobUri => $"sip:bob@127.0.0.1:{Bob.LocalEndPoint.Port}";

    public static EndpointOptions Options(string user, bool autoAnswer = false, string[]? codecs = null) => new()
    {
        BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        UserName = user,
        AutoAnswer = autoAnswer,
        Codecs = codecs ?? ["PCMU", "PCMA"],
        T1 = TimeSpan.FromMilliseconds(100),
        T2 = TimeSpan.FromMilliseconds(400),
        T4 = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<EndpointPair> StartAsync(EndpointOptions? alice = null, EndpointOptions? bob = null)
    {
        var am = new FakeMediaFactory();
        var bm = new FakeMediaFactory();
        var a = new Endpoint(alice ?? Options("alice"), am);
        var b = new Endpoint(bob ?? Options("bob", autoAnswer: true), bm);
        await a.StartAsync();
        await b.StartAsync();
        return new EndpointPair(a, b, am, bm);
    }

    /// <summary>Completes with the next incoming call on <paramref name="endpoint"/>.</summary>
    public static Task<Call> NextIncoming(Endpoint endpoint)
    {
        var tcs = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        endpoint.IncomingCall += (_, c) => tcs.TrySetResult(c);
        return tcs.Task.WaitAsync(Wait);
    }

    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Alice.DisposeAsync();
        await Bob.DisposeAsync();
    }
}
