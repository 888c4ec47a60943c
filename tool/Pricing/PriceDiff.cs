using System.Globalization;

namespace TokenTelemetry.Pricing;

/// <summary>
/// What a new price table changes for the models in use: each model resolved in both tables (batch rows by their batch
/// rates), compared rate by rate, long-context tiers included. Only models whose entry or some rate differs are listed.
/// </summary>
public static class PriceDiff
{
    public static IReadOnlyList<PriceChange> Compare(PriceTable old, PriceTable updated, IEnumerable<(string Model, string? Provider)> models)
    {
        var (before, after) = (new ModelResolver(old), new ModelResolver(updated));
        var changes = new List<PriceChange>();
        foreach (var (model, provider) in models)
        {
            var batch = model.EndsWith(UsagePricer.BatchSuffix, StringComparison.Ordinal);
            var name = batch ? model[..^UsagePricer.BatchSuffix.Length] : model;
            var (o, n) = (before.Resolve(name, provider), after.Resolve(name, provider));
            var (oldRates, newRates) = (Flatten(o, batch), Flatten(n, batch));
            var rates = oldRates.Keys.Union(newRates.Keys)
                .Select(k => (Rate: k, Old: oldRates.GetValueOrDefault(k), New: newRates.GetValueOrDefault(k)))
                .Where(r => r.Old != r.New).ToList();
            if (o?.Key != n?.Key || rates.Count > 0) changes.Add(new PriceChange(model, provider, o?.Key, n?.Key, rates));
        }
        return changes;
    }

    /// <summary>A change in one line: "input 0.0000025 → 0.000002, output > 200,000 (new) 0.000015".</summary>
    public static string Describe(PriceChange change)
    {
        var entry = change.OldKey == change.NewKey ? $"entry {change.NewKey}"
            : change.OldKey is null ? $"now priced as {change.NewKey} (had no price)"
            : change.NewKey is null ? $"no longer in the table (was {change.OldKey}): its cost would become NULL"
            : $"now priced as {change.NewKey} (was {change.OldKey})";
        var rates = change.Rates.Select(r => $"{r.Rate} {Rate(r.Old)} → {Rate(r.New)}");
        return $"{change.Model}{(change.Provider is null ? "" : $" ({change.Provider})")}: {entry}{(change.Rates.Count > 0 ? "; " + string.Join(", ", rates) : "")}";
    }

    private static string Rate(decimal? rate) => rate is { } r ? CostCalculator.Trim(r).ToString("0.#################", CultureInfo.InvariantCulture) : "none";

    private static Dictionary<string, decimal?> Flatten(ModelPrice? price, bool batch)
    {
        var rates = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        if (price is null) return rates;
        if (batch)
        {
            rates["batch_input"] = price.BatchInput;
            rates["batch_output"] = price.BatchOutput;
            return rates;
        }
        Add(rates, "", price.Base);
        foreach (var tier in price.Tiers) Add(rates, $" > {tier.AboveTokens.ToString("N0", CultureInfo.InvariantCulture)}", tier.Rates);
        if (price.LegacyCacheHit is { } hit) rates["input_cost_per_token_cache_hit"] = hit;
        return rates;
    }

    private static void Add(Dictionary<string, decimal?> rates, string suffix, Rates r)
    {
        void Set(string name, decimal? value) { if (value is not null) rates[name + suffix] = value; }
        Set("input", r.Input);
        Set("output", r.Output);
        Set("cache_read", r.CacheRead);
        Set("cache_write_5m", r.CacheWrite);
        Set("cache_write_1h", r.CacheWrite1h);
        Set("reasoning", r.Reasoning);
    }
}
