namespace TokenTelemetry.Collection;

/// <summary>"Now" pinned to a moment: TT_NOW replays a collection as of that time (and makes test runs repeatable).</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
