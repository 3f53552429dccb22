using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Protection;

/// <summary>
/// Admission control in front of the transaction layer (issue 3 item 7):
/// <code>
/// datagram --size--> parse --rate per source IP / queue depth--> work queue --> transactions (table cap) --> calls (dialog cap)
///             drop                 drop, or 503 for INVITE                          stateless 503          503
/// </code>
/// Size and rate run on the receive path (thread-safe, one lock, no allocation per message once a source is known);
/// the table and dialog caps live in the transaction layer and the user agent.
/// </summary>
internal sealed class SipProtection
{
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _burst;
    private readonly Func<int> _queueDepth;
    private long _accepted;
    private long _dropped;
    private long _rejected;
    private long _oversized;

    public SipProtection(EndpointOptions options, Func<int>? queueDepth = null)
    {
        Options = options;
        _time = options.TimeProvider;
        _rate = options.RequestsPerSecondPerSource;
        _burst = Math.Max(options.RequestBurstPerSource, 1);
        _queueDepth = queueDepth ?? (() => 0);
    }

    public EndpointOptions Options { get; }

    /// <summary>Most sources tracked at once; beyond it idle sources are forgotten (a spoofed-source flood cannot grow the table).</summary>
    public int MaxTrackedSources { get; init; } = 10_000;

    /// <summary>Requests admitted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Requests dropped by the rate limit or a full queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Requests answered 503 by the rate limit or a full queue.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Datagrams dropped for exceeding <see cref="EndpointOptions.MaxMessageSize"/>.</summary>
    public long Oversized => Interlocked.Read(ref _oversized);

    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Size check before parsing; false means drop (UDP) or answer 413 and close (stream transports).</summary>
    public bool AdmitSize(int length)
    {
        if (length <= Options.MaxMessageSize)
        {
            return true;
        }

        Interlocked.Increment(ref _oversized);
        return false;
    }

    /// <summary>Rate and queue check after parsing. Responses always pass (they only touch our own client transactions).</summary>
    public SipAdmission Admit(SipMessage message, IPEndPoint source)
    {
        if (message is not SipRequest request)
        {
            return SipAdmission.Accept;
        }

        var ok = _queueDepth() < Options.MaxQueuedMessages && TakeToken(source.Address);
        if (ok)
        {
            Interlocked.Increment(ref _accepted);
            return SipAdmission.Accept;
        }

        if (request.Method == "INVITE" && Options.RejectExcessInvites)
        {
            Interlocked.Increment(ref _rejected);
            return SipAdmission.Reject;
        }

        Interlocked.Increment(ref _dropped);
        return SipAdmission.Drop;
    }

    /// <summary>The stateless 503 for a rejected request.</summary>
    public SipResponse CreateBusy(SipRequest request)
    {
        var r = SipMessageFactory.CreateResponse(request, 503, "Service Unavailable (overloaded)", request.To.Tag ?? SipMessageFactory.NewTag());
        r.AddHeader("Retry-After", SipMessageFactory.Format((int)Options.OverloadRetryAfter.TotalSeconds));
        return r;
    }

    /// <summary>413 for a stream transport that read headers announcing a body beyond <see cref="EndpointOptions.MaxMessageSize"/>.</summary>
    public static SipResponse CreateTooLarge(SipRequest request) =>
        SipMessageFactory.CreateResponse(request, 413, "Request Entity Too Large", request.To.Tag ?? SipMessageFactory.NewTag());

    private bool TakeToken(IPAddress address)
    {
        if (_rate <= 0)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        var frequency = (double)_time.TimestampFrequency;
        lock (_lock)
        {
            if (!_buckets.TryGetValue(address, out var bucket))
            {
                if (_buckets.Count >= MaxTrackedSources)
                {
                    Prune(now, frequency);
                }

                bucket = new Bucket { Tokens = _burst, Stamp = now };
                _buckets[address] = bucket;
            }

            var elapsed = (now - bucket.Stamp) / frequency;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed * _rate));
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private void Prune(long now, double frequency)
    {
        // A bucket that would be full again is indistinguishable from a new one: forget it.
        var full = _burst / _rate;
        List<IPAddress>? idle = null;
        foreach (var (address, bucket) in _buckets)
        {
            if ((now - bucket.Stamp) / frequency >= full)
            {
                (idle ??= []).Add(address);
            }
        }

        if (idle is null)
        {
            _buckets.Clear();
            return;
        }

        foreach (var a in idle)
        {
            _buckets.Remove(a);
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
    }
}
