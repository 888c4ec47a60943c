namespace TokenTelemetry.Pricing;

/// <summary>
/// What priced a computed cost (stored with the row): the snapshot (price table + rules, see <see cref="PricingRules"/>),
/// the table entry used, the override and discounts applied (labels, NULL when none), and the cost before discounts.
/// </summary>
public sealed record PriceProvenance(string Snapshot, string Key, string? Rules, decimal ListCostUsd);
