namespace Pipeline.Sip.Tests.Resolution;

/// <summary>A clock that only moves when told (cache expiry tests).</summary>
internal sealed class TestClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
