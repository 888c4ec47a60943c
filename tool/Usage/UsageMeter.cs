namespace TokenTelemetry.Usage;

/// <summary>
/// A quota or budget reading a route reports (DESIGN §3 usage_meter): how much of a limit is used and when it
/// resets. Never turned into token prices.
/// </summary>
public sealed record UsageMeter
{
    /// <summary>e.g. codex.primary, codex.secondary, openrouter.key.</summary>
    public required string Meter { get; init; }
    public string? Plan { get; init; }
    public DateTimeOffset? ObservedAt { get; init; }
    public int? WindowMinutes { get; init; }
    public DateTimeOffset? ResetsAt { get; init; }
    public decimal? UsedPercent { get; init; }
    public decimal? Used { get; init; }
    public decimal? LimitValue { get; init; }
    /// <summary>percent, usd, requests, …</summary>
    public string? Unit { get; init; }
    public string? Raw { get; init; }
}
