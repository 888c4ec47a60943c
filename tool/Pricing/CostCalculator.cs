using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Prices a canonical usage (DESIGN §2: input INCLUDES cache, output INCLUDES reasoning) with decimal arithmetic:
/// uncached input × input + cache reads × cache-read + 5-minute writes × cache-write + 1-hour writes × 1-hour rate
/// + (output − reasoning) × output + reasoning × (reasoning rate, else output). When the total input exceeds a tier
/// threshold every rate of the request switches to that tier (each falling back to its base rate). A non-zero
/// bucket is never priced at $0 for want of a rate: docs/pricing.md lists the fallbacks, and each use is reported.
/// </summary>
public static class CostCalculator
{
    public static CostBreakdown Price(ModelPrice price, UsageTelemetry usage, string? provider = null)
    {
        if (usage.InputTokens is not { } input || usage.OutputTokens is not { } output)
            return new CostBreakdown { MatchedKey = price.Key, Unpriced = "input_tokens or output_tokens is unknown (NULL), so any total would be a guess" };
        var cachedRead = usage.CachedReadTokens ?? 0;
        var cachedWrite = usage.CachedWriteTokens ?? 0;
        var oneHour = usage.CachedWrite1hTokens ?? 0;
        var reasoning = usage.ReasoningTokens ?? 0;
        var uncached = input - cachedRead - cachedWrite;
        if (uncached < 0 || oneHour > cachedWrite || reasoning > output)
            return new CostBreakdown { MatchedKey = price.Key, Unpriced = usage.Inconsistency() ?? "inconsistent usage" };

        // xAI bills its long-context rate from the threshold itself; everyone else from above it.
        var inclusive = price.Provider == "xai" || provider == "xai";
        var tier = price.Tiers.FirstOrDefault(t => inclusive ? input >= t.AboveTokens : input > t.AboveTokens);
        var rates = tier is null ? price.Base : tier.Rates.Over(price.Base);

        var lines = new List<CostLine>();
        string? unpriced = null;
        void Add(string bucket, long tokens, decimal? rate, Func<(decimal Rate, string Why)?>? fallback = null)
        {
            if (tokens == 0) return;
            string? why = null;
            if (rate is null && fallback?.Invoke() is { } f) (rate, why) = f;
            if (rate is null)
            {
                unpriced ??= $"the table has no {bucket} rate for {price.Key}";
                return;
            }
            lines.Add(new CostLine(bucket, tokens, rate.Value, Trim(tokens * rate.Value), why));
        }

        Add("input", uncached, rates.Input);
        Add("cache_read", cachedRead, rates.CacheRead, () =>
            price.LegacyCacheHit is { } hit ? (hit, "input_cost_per_token_cache_hit (legacy name)")
            : rates.Input is { } i ? (i, "no cache-read rate: billed at the input rate") : null);
        var writeRate = rates.CacheWrite;
        var writeFallback = writeRate is not null ? ((decimal, string)?)null
            : rates.Input is not { } inputRate ? null
            : price.IsClaude ? (inputRate * 1.25m, "no cache-write rate: 1.25 × input (Anthropic's 5-minute write price)")
            : (inputRate, "no cache-write rate: billed at the input rate");
        Add("cache_write_5m", cachedWrite - oneHour, writeRate, () => writeFallback);
        Add("cache_write_1h", oneHour, tier is null ? rates.CacheWrite1h : tier.Rates.CacheWrite1h, () =>
            price.IsClaude && rates.Input is { } i ? (i * 2m, "no 1-hour write rate: 2 × input (Anthropic's 1-hour write price)")
            : tier is not null && price.Base.CacheWrite1h is { } baseHour ? (baseHour, "no long-context 1-hour write rate: the base 1-hour rate")
            : (writeRate ?? writeFallback?.Item1) is { } fiveMinute ? (fiveMinute, "no 1-hour write rate: the 5-minute write rate") : null);
        Add("output", output - reasoning, rates.Output);
        Add("reasoning", reasoning, rates.Reasoning ?? rates.Output);

        if (unpriced is not null) return new CostBreakdown { MatchedKey = price.Key, TierAboveTokens = tier?.AboveTokens, Lines = lines, Unpriced = unpriced };
        return new CostBreakdown
        {
            MatchedKey = price.Key,
            TierAboveTokens = tier?.AboveTokens,
            Lines = lines,
            Total = Trim(Math.Round(lines.Sum(l => l.Cost), 9, MidpointRounding.AwayFromZero)),
        };
    }

    /// <summary>Drops trailing zeros a decimal product carries in its scale (0.02000000 → 0.02), so output reads as numbers do.</summary>
    public static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
