using System.Globalization;
using Pipeline.Sip.Calls;
using Pipeline.Sip.Media;

namespace Pipeline.Cli;

/// <summary>Turns a call's state and media changes into the <c>--events</c> lines, and applies <c>--hangup-after</c>.</summary>
internal static class CallEvents
{
    public static void Attach(Call call, EventWriter events, double? hangupAfterSeconds, CancellationToken exiting)
    {
        NegotiatedMedia? last = null;
        var gate = new object();
        if (call.Direction == CallDirection.Incoming)
        {
            events.Write("incoming", call.CallId, ("from", call.RemoteUri.ToString()));
        }

        call.StateChanged += (_, state) =>
        {
            switch (state)
            {
                case CallState.Ringing:
                    events.Write("ringing", call.CallId);
                    break;
                case CallState.Established:
                    {
                        var m = call.CurrentMedia;
                        events.Write("established", call.CallId, ("codec", m?.Codec.Name), ("remote", m is null ? null : Format(m.RemoteRtp)));
                        if (hangupAfterSeconds is { } after)
                        {
                            _ = HangupLaterAsync(call, TimeSpan.FromSeconds(after), exiting);
                        }

                        break;
                    }
            }
        };

        call.MediaChanged += (_, media) =>
        {
            NegotiatedMedia? previous;
            lock (gate)
            {
                previous = last;
                last = media;
            }

            if (previous is null) return; // the first exchange is reported by "established"
            bool wasHeld = IsHeld(previous);
            bool isHeld = IsHeld(media);
            if (!wasHeld && isHeld)
            {
                events.Write("held", call.CallId, ("direction", media.Direction.ToString().ToLowerInvariant()));
            }
            else if (wasHeld && !isHeld)
            {
                events.Write("resumed", call.CallId, ("codec", media.Codec.Name), ("remote", Format(media.RemoteRtp)));
            }

            if (!Equals(previous.RemoteRtp, media.RemoteRtp) || !string.Equals(previous.Codec.Name, media.Codec.Name, StringComparison.OrdinalIgnoreCase))
            {
                events.Write("media", call.CallId, ("codec", media.Codec.Name), ("remote", Format(media.RemoteRtp)));
            }
        };

        // "ended" is written once the call's media is closed: the recording is complete and the counters final.
        call.Ended += (_, reason) => Track(ReportEndAsync(call, reason, events));

        if (call.Media is CallMediaController controller)
        {
            controller.Dtmf.Subscribe(new DtmfObserver(call, events));
        }
    }

    // Only the reports still running: a finished one is dropped at once, so that ended calls (and their media) can be
    // collected; under load (thousands of calls per second) keeping them all would grow the heap without bound.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> Pending = new();

    private static void Track(Task report)
    {
        Pending.TryAdd(report, 0);
        report.ContinueWith(static t => Pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits until every "ended" event has been written (each waits for its call's media to close).</summary>
    public static Task DrainAsync(TimeSpan timeout) => Task.WhenAll(Pending.Keys).WaitAsync(timeout);

    private static async Task ReportEndAsync(Call call, Pipeline.Sip.Calls.CallEndReason reason, EventWriter events)
    {
        try
        {
            await call.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Report anyway: the media did not close in time.
        }

        var s = call.Media.Statistics;
        events.Write(
            "ended",
            call.CallId,
            ("reason", ReasonToken(reason.Kind)),
            ("status", reason.StatusCode),
            ("detail", reason.Text),
            ("rtpSent", s.PacketsSent),
            ("rtpReceived", s.PacketsReceived),
            ("lost", s.PacketsLost),
            ("concealed", s.FramesConcealed),
            ("fecRecovered", s.FecRecovered),
            ("jitterMs", Math.Round(s.Jitter.TotalMilliseconds, 3)),
            ("codec", s.Codec));
    }

    /// <summary>The stable event name of an end reason: local-hangup, remote-hangup, rejected, cancelled, failed, timeout.</summary>
    public static string ReasonToken(Pipeline.Sip.Calls.CallEndKind kind)
    {
        var name = kind.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    /// <summary>Held from our point of view: we may not send, or the peer stopped sending to us.</summary>
    public static bool IsHeld(NegotiatedMedia m) => !m.CanSend || m.Direction != MediaDirection.SendRecv;

    private static string Format(System.Net.IPEndPoint ep) => ep.ToString();

    private static async Task HangupLaterAsync(Call call, TimeSpan after, CancellationToken exiting)
    {
        try
        {
            await Task.Delay(after, exiting).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the endpoint is shutting down and hangs up every call itself
        }

        try
        {
            await call.HangupAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already ended by the other side.
        }
    }

    private sealed class DtmfObserver(Call call, EventWriter events) : IObserver<Pipeline.Core.Rtp.DtmfEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(Pipeline.Core.Rtp.DtmfEvent value)
        {
            if (value.IsEnd) return;
            events.Write("dtmf", call.CallId, ("digit", value.Digit.ToString(CultureInfo.InvariantCulture)), ("via", "rfc4733"));
        }
    }
}
