using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>A usage's cost as stored: USD and its basis, both NULL when unknown (never $0 for unknown), and the
/// price-table key it was computed from (NULL when provider-reported or unmatched).</summary>
public sealed record PricedUsage(decimal? CostUsd, CostBasis? Basis, string? MatchedKey)
{
    /// <summary>No cost, no basis: a usage nothing priced (or one that carries no tokens to price).</summary>
    public static readonly PricedUsage None = new(null, null, null);

    /// <summary>Cache reads × (input rate − cache-read rate): an estimate; NULL when cache reads or a price are unknown.</summary>
    public decimal? CacheSavingsUsd { get; init; }
    /// <summary>The snapshot that computed the cost; NULL unless computed.</summary>
    public string? Snapshot { get; init; }
    /// <summary>The override and discounts applied; NULL when none.</summary>
    public string? Rules { get; init; }
    /// <summary>The computed cost before discounts.</summary>
    public decimal? ListCostUsd { get; init; }

    /// <summary>What a row records of how its cost was computed; NULL unless computed.</summary>
    public PriceProvenance? Provenance =>
        Basis == CostBasis.Computed && Snapshot is not null && MatchedKey is not null && ListCostUsd is { } list
            ? new PriceProvenance(Snapshot, MatchedKey, Rules, list) : null;
}
