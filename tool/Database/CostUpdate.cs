using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>A row's new cost from `reprice`: cost, basis, cache savings and provenance (NULL unless computed); the
/// provider-reported cost it replaces, when it replaces one (kept in raw_usage.reported_cost_usd); the row's updated_at
/// when it was read.</summary>
public sealed record CostUpdate(long Id, decimal? CostUsd, CostBasis? Basis, decimal? CacheSavingsUsd, PriceProvenance? Pricing, decimal? ReplacedReportedUsd, DateTime SeenUpdatedAt);
