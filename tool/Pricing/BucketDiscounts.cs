namespace TokenTelemetry.Pricing;

/// <summary>
/// The percent taken off each bucket of a usage by the discounts in force (at most one per bucket: config validation
/// refuses overlaps). Applied to each bucket's cost before the total is rounded, so a discount on the whole usage equals
/// the same percent off its total.
/// </summary>
public sealed record BucketDiscounts
{
    public static readonly BucketDiscounts None = new();

    public decimal Input { get; init; }
    public decimal CacheRead { get; init; }
    public decimal CacheWrite5m { get; init; }
    public decimal CacheWrite1h { get; init; }
    public decimal Output { get; init; }
    public decimal Reasoning { get; init; }
    /// <summary>The discounts that set these percents, as provenance names them.</summary>
    public IReadOnlyList<DiscountRule> Rules { get; init; } = [];

    public bool Any => Rules.Count > 0;

    public decimal Percent(string bucket) => bucket switch
    {
        "input" => Input,
        "cache_read" => CacheRead,
        "cache_write_5m" => CacheWrite5m,
        "cache_write_1h" => CacheWrite1h,
        "output" => Output,
        _ => Reasoning,
    };

    /// <summary>What is paid of the list cost: 1 − percent / 100.</summary>
    public decimal Factor(string bucket) => 1m - Percent(bucket) / 100m;

    public static BucketDiscounts From(IReadOnlyList<DiscountRule> rules)
    {
        if (rules.Count == 0) return None;
        decimal P(string bucket) => rules.FirstOrDefault(r => r.Covers(bucket))?.Percent ?? 0m;
        return new BucketDiscounts
        {
            Input = P("input"), CacheRead = P("cache_read"), CacheWrite5m = P("cache_write_5m"), CacheWrite1h = P("cache_write_1h"),
            Output = P("output"), Reasoning = P("reasoning"), Rules = rules,
        };
    }
}
