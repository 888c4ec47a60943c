using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>A usage's cost as stored: USD and its basis, both NULL when unknown (never $0 for unknown), and the
/// price-table key it was computed from (NULL when provider-reported or unmatched).</summary>
public sealed record PricedUsage(decimal? CostUsd, CostBasis? Basis, string? MatchedKey)
{
    /// <summary>Cache reads × (input rate − cache-read rate): an estimate; NULL when cache reads or a price are unknown.</summary>
    public decimal? CacheSavingsUsd { get; init; }
}
