using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Prices a canonical usage (DESIGN §2: input INCLUDES cache, output INCLUDES reasoning) with decimal arithmetic:
/// uncached input × input + cache reads × cache-read + 5-minute writes × cache-write + 1-hour writes × 1-hour rate
/// + (output − reasoning) × output + reasoning × (reasoning rate, else output). When the total input exceeds a tier
/// threshold every rate of the request switches to that tier (each falling back to its base rate). A non-zero
/// bucket is never priced at $0 for want of a rate: docs/pricing.md lists the fallbacks, and each use is reported.
/// <see cref="Total"/> is the allocation-free path collection uses; <see cref="Price"/> adds the per-bucket lines.
/// Discounts (pricing.discounts) take their percent off each bucket they cover before the total is rounded; the list
/// total (before discounts) is kept beside it.
/// </summary>
public static class CostCalculator
{
    private const string UnknownTokens = "input_tokens or output_tokens is unknown (NULL), so any total would be a guess";

    public static CostBreakdown Price(ModelPrice price, UsageTelemetry usage, string? provider = null, BucketDiscounts? discounts = null, bool aggregate = false)
    {
        var lines = new List<CostLine>();
        var total = Compute(price, usage, provider, discounts ?? BucketDiscounts.None, lines, out var list, out _, out var unpriced, out var tier, aggregate);
        return new CostBreakdown
        {
            MatchedKey = price.Key, TierAboveTokens = tier, Lines = lines, Total = total is { } t ? Trim(t) : null,
            ListTotal = total is null ? null : list is { } l ? Trim(l) : null, Unpriced = unpriced, Discounts = (discounts ?? BucketDiscounts.None).Rules,
        };
    }

    /// <summary>The total only (rounded to 1e-9 USD), the fallbacks it used, or why it has none.</summary>
    /// <param name="aggregate">The usage sums many requests (an hourly bucket): long-context tiers apply per request,
    /// and a sum says nothing about request sizes, so base rates are used.</param>
    public static decimal? Total(ModelPrice price, UsageTelemetry usage, string? provider, out Fallback fallbacks, out string? unpriced, bool aggregate = false) =>
        Compute(price, usage, provider, BucketDiscounts.None, null, out _, out fallbacks, out unpriced, out _, aggregate);

    /// <summary>The total after <paramref name="discounts"/>, and in <paramref name="list"/> the total before them.</summary>
    public static decimal? Total(ModelPrice price, UsageTelemetry usage, string? provider, BucketDiscounts discounts, out decimal? list,
        out Fallback fallbacks, out string? unpriced, bool aggregate = false) =>
        Compute(price, usage, provider, discounts, null, out list, out fallbacks, out unpriced, out _, aggregate);

    /// <summary>What the cache reads saved against paying the input rate for them (base rates; an estimate). NULL when
    /// cache reads are not reported or the table lacks the input or cache-read rate (the saving is then unknown, not
    /// zero); 0 without cache reads.</summary>
    public static decimal? CacheSavings(ModelPrice price, UsageTelemetry usage, BucketDiscounts? discounts = null)
    {
        if (usage.CachedReadTokens is not { } read) return null;
        if (read == 0) return 0;
        if (price.Base.Input is not { } input || (price.Base.CacheRead ?? price.LegacyCacheHit) is not { } readRate) return null;
        // At the rates paid: a discount on input makes the saving smaller, one on cache reads larger.
        if (discounts is { Any: true } d) (input, readRate) = (input * d.Factor("input"), readRate * d.Factor("cache_read"));
        return Math.Round(read * Math.Max(0, input - readRate), 9, MidpointRounding.AwayFromZero);
    }

    private static decimal? Compute(ModelPrice price, UsageTelemetry usage, string? provider, BucketDiscounts discounts, List<CostLine>? lines,
        out decimal? list, out Fallback fallbacks, out string? unpriced, out long? tierAbove, bool aggregate = false)
    {
        list = null;
        fallbacks = Fallback.None;
        unpriced = null;
        tierAbove = null;
        if (usage.InputTokens is not { } input || usage.OutputTokens is not { } output)
        {
            unpriced = UnknownTokens;
            return null;
        }
        var cachedRead = usage.CachedReadTokens ?? 0;
        var cachedWrite = usage.CachedWriteTokens ?? 0;
        var oneHour = usage.CachedWrite1hTokens ?? 0;
        var reasoning = usage.ReasoningTokens ?? 0;
        var uncached = input - cachedRead - cachedWrite;
        if (uncached < 0 || oneHour > cachedWrite || reasoning > output)
        {
            unpriced = usage.Inconsistency() ?? "inconsistent usage";
            return null;
        }

        // xAI bills its long-context rate from the threshold itself; everyone else from above it.
        var inclusive = price.Provider == "xai" || provider == "xai";
        PriceTier? tier = null;
        if (!aggregate)
            foreach (var t in price.Tiers)
                if (inclusive ? input >= t.AboveTokens : input > t.AboveTokens) { tier = t; break; }
        tierAbove = tier?.AboveTokens;
        var b = price.Base;
        var inputRate = tier?.Rates.Input ?? b.Input;
        var outputRate = tier?.Rates.Output ?? b.Output;

        decimal total = 0, listTotal = 0;
        string? missing = null;
        var discounted = discounts.Any;
        void Bucket(string bucket, long tokens, decimal? rate, Fallback used, ref decimal sum, ref Fallback flags)
        {
            if (tokens == 0) return;
            if (rate is not { } r)
            {
                missing ??= $"the table has no {bucket} rate for {price.Key}";
                return;
            }
            var cost = tokens * r;
            if (discounted)
            {
                listTotal += cost;
                sum += cost * discounts.Factor(bucket);
            }
            else sum += cost;
            flags |= used;
            lines?.Add(new CostLine(bucket, tokens, r, Trim(cost), used == Fallback.None ? null : Describe(used), discounted ? discounts.Percent(bucket) : 0m));
        }

        Bucket("input", uncached, inputRate, Fallback.None, ref total, ref fallbacks);

        var readRate = tier?.Rates.CacheRead ?? b.CacheRead;
        var readUsed = Fallback.None;
        if (readRate is null && cachedRead > 0)
            (readRate, readUsed) = price.LegacyCacheHit is { } hit ? (hit, Fallback.LegacyCacheHit) : (inputRate, Fallback.CacheReadAtInput);
        Bucket("cache_read", cachedRead, readRate, readUsed, ref total, ref fallbacks);

        var writeRate = tier?.Rates.CacheWrite ?? b.CacheWrite;
        var writeUsed = Fallback.None;
        if (writeRate is null && cachedWrite > 0 && inputRate is { } i5)
            (writeRate, writeUsed) = price.IsClaude ? (i5 * 1.25m, Fallback.CacheWriteClaude) : (i5, Fallback.CacheWriteAtInput);
        Bucket("cache_write_5m", cachedWrite - oneHour, writeRate, writeUsed, ref total, ref fallbacks);

        var hourRate = tier is null ? b.CacheWrite1h : tier.Rates.CacheWrite1h;
        var hourUsed = Fallback.None;
        if (hourRate is null && oneHour > 0)
        {
            if (price.IsClaude && inputRate is { } i1) (hourRate, hourUsed) = (i1 * 2m, Fallback.OneHourClaude);
            else if (tier is not null && b.CacheWrite1h is { } baseHour) (hourRate, hourUsed) = (baseHour, Fallback.OneHourBase);
            else if (writeRate is not null) (hourRate, hourUsed) = (writeRate, Fallback.OneHourAtFiveMinute);
        }
        Bucket("cache_write_1h", oneHour, hourRate, hourUsed, ref total, ref fallbacks);

        Bucket("output", output - reasoning, outputRate, Fallback.None, ref total, ref fallbacks);
        Bucket("reasoning", reasoning, tier?.Rates.Reasoning ?? b.Reasoning ?? outputRate, Fallback.None, ref total, ref fallbacks);

        if (missing is not null)
        {
            unpriced = missing;
            return null;
        }
        // Trailing zeros are only trimmed for display (Price): decimal equality and numeric columns ignore them.
        var rounded = Math.Round(total, 9, MidpointRounding.AwayFromZero);
        list = discounted ? Math.Round(listTotal, 9, MidpointRounding.AwayFromZero) : rounded;
        return rounded;
    }

    /// <summary>Drops trailing zeros a decimal product carries in its scale (0.02000000 → 0.02), so output reads as numbers do.</summary>
    public static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;

    public static string Describe(Fallback fallback) => fallback switch
    {
        Fallback.LegacyCacheHit => "input_cost_per_token_cache_hit (legacy name)",
        Fallback.CacheReadAtInput => "no cache-read rate: billed at the input rate",
        Fallback.CacheWriteClaude => "no cache-write rate: 1.25 × input (Anthropic's 5-minute write price)",
        Fallback.CacheWriteAtInput => "no cache-write rate: billed at the input rate",
        Fallback.OneHourClaude => "no 1-hour write rate: 2 × input (Anthropic's 1-hour write price)",
        Fallback.OneHourBase => "no long-context 1-hour write rate: the base 1-hour rate",
        Fallback.OneHourAtFiveMinute => "no 1-hour write rate: the 5-minute write rate",
        Fallback.BatchCacheAtBatchInput => "no batch cache rate: cache tokens billed at the batch input rate",
        _ => fallback.ToString(),
    };
}
