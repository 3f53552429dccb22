namespace Pipeline.Sip.Resolution;

/// <summary>
/// The ordered targets of one resolution, walked as RFC 3263 §4.3 says: send to the first; when it
/// times out, fails at the transport, or answers 503, move to the next; when none is left, the
/// request has failed. Not thread-safe: one list per request (or per registration attempt).
/// </summary>
public sealed class SipTargetList
{
    private int _index = -1;

    /// <summary>Wraps <paramref name="targets"/> (in the order to try them).</summary>
    public SipTargetList(IReadOnlyList<SipServerTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        Targets = targets;
    }

    /// <summary>All targets, best first.</summary>
    public IReadOnlyList<SipServerTarget> Targets { get; }

    /// <summary>The target in use, or null before the first <see cref="MoveNext"/> and after the last.</summary>
    public SipServerTarget? Current => _index >= 0 && _index < Targets.Count ? Targets[_index] : null;

    /// <summary>Targets not tried yet.</summary>
    public int Remaining => Math.Max(0, Targets.Count - _index - 1);

    /// <summary>Advances to the next target (the first one on the first call); false when all were tried.</summary>
    public bool MoveNext()
    {
        if (_index < Targets.Count)
        {
            _index++;
        }

        return _index < Targets.Count;
    }

    /// <summary>
    /// After <see cref="Current"/> failed with <paramref name="statusCode"/> (or with a timeout or
    /// transport error when null): advances and returns the next target when the failure allows a
    /// retry elsewhere (§4.3: 503 or no answer), else null (a final answer such as 404 or 486 is the
    /// outcome, not a reason to try another server).
    /// </summary>
    public SipServerTarget? NextAfterFailure(int? statusCode)
    {
        if (!IsFailover(statusCode))
        {
            return null;
        }

        return MoveNext() ? Current : null;
    }

    /// <summary>True for the outcomes after which RFC 3263 §4.3 tries the next target: no response (null: timeout, transport error) or 503.</summary>
    public static bool IsFailover(int? statusCode) => statusCode is null or 503;

    /// <summary>Starts again from the first target (e.g. for the next registration refresh).</summary>
    public void Reset() => _index = -1;
}
