namespace TokenTelemetry.Pricing;

/// <summary>What `reprice` recomputes: rows whose window starts in [From, To) (all when not given) of these sources (all
/// when empty); provider-reported costs only when asked; with DryRun nothing is written.</summary>
public sealed record RepriceRequest
{
    public DateTimeOffset From { get; init; } = DateTimeOffset.UnixEpoch;
    public DateTimeOffset To { get; init; } = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public string[] Sources { get; init; } = [];
    public bool DryRun { get; init; }
    public bool IncludeReported { get; init; }
}
