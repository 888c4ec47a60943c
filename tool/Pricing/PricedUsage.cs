using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>A usage's cost as stored: USD and its basis, both NULL when unknown (never $0 for unknown).</summary>
public sealed record PricedUsage(decimal? CostUsd, CostBasis? Basis, CostBreakdown? Breakdown);
