namespace TokenTelemetry.Model;

/// <summary>One line of a provider's cost report, kept as reported (DESIGN §3 billed_cost), amount in USD.</summary>
public sealed record BilledCostRow
{
    public required string SourceSystem { get; init; }
    public required DateTimeOffset BucketStart { get; init; }
    public required DateTimeOffset BucketEnd { get; init; }
    public string? ProjectId { get; init; }
    public string? LineItem { get; init; }
    public string? Model { get; init; }
    public required decimal AmountUsd { get; init; }
    /// <summary>The currency as the report named it (USD after conversion from cents where needed).</summary>
    public required string Currency { get; init; }
    public string? Raw { get; init; }
}
