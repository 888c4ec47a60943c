using TokenTelemetry.Pricing;
using TokenTelemetry.Model;

namespace TokenTelemetry.Database;

/// <summary>A stored row with what priced it (NULL: no provenance recorded) and whether it sums counted calls.</summary>
public sealed record ExplainedRow(long Id, TokenUsageRow Row, PriceProvenance? Pricing, bool Counted);
