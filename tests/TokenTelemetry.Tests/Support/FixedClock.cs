namespace TokenTelemetry.Tests.Support;

/// <summary>A clock that says what the test wants; window planning depends on "now".</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
