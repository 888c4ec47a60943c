using TokenTelemetry.Database;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// How a stored row's cost is computed, bucket by bucket: with the snapshot that priced it when one was recorded (its
/// table entries and rules, read back), else with the current table and config — and what the current ones would give.
/// </summary>
public static class CostExplainer
{
    /// <summary>The rules a recorded snapshot priced with: its stored entries as a table, its rules read back.</summary>
    public static PricingRules FromSnapshot(PriceSnapshotStore.Snapshot snapshot)
    {
        var table = PriceEntryJson.Table(snapshot.Entries, $"snapshot {snapshot.Id} ({snapshot.TableSource}, sha256 {snapshot.TableSha256[..12]}…)", snapshot.TableSha256);
        var (overrides, discounts) = PricingRulesJson.Read(snapshot.Rules);
        return new PricingRules(table, overrides, discounts);
    }

    /// <summary>The row priced with <paramref name="rules"/> as its writer priced it: batch rows at batch rates; a row of
    /// one counted call as that request (long-context tiers apply); other rows from their sums at base rates.</summary>
    public static CostBreakdown? Breakdown(PricingRules rules, ExplainedRow explained)
    {
        var r = explained.Row;
        var batch = r.ModelId.EndsWith(UsagePricer.BatchSuffix, StringComparison.Ordinal);
        var model = batch ? r.ModelId[..^UsagePricer.BatchSuffix.Length] : r.ModelId;
        var lookup = rules.At(r.WindowStart).Lookup(model, r.Provider);
        if (lookup.Price is not { } price) return null;
        var usage = new UsageTelemetry
        {
            InputTokens = r.InputTokens, CachedReadTokens = r.CachedReadTokens, CachedWriteTokens = r.CachedWriteTokens,
            CachedWrite1hTokens = r.CachedWrite1hTokens, OutputTokens = r.OutputTokens, ReasoningTokens = r.ReasoningTokens,
            RequestCount = r.RequestCount, Model = model, Provider = r.Provider,
        };
        var breakdown = batch ? BatchCost.Price(price, usage, lookup.Discounts)
            : CostCalculator.Price(price, usage, r.Provider, lookup.Discounts, aggregate: !(explained.Counted && r.RequestCount == 1));
        return breakdown with { Rules = lookup.Rules };
    }
}
