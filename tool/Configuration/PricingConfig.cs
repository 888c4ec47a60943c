namespace TokenTelemetry.Configuration;

public sealed record PricingConfig
{
    /// <summary>bundled (the snapshot shipped in the tool), file, or url.</summary>
    public string Source { get; init; } = "bundled";
    public string? File { get; init; }
    public string? Url { get; init; }
    public int CacheHours { get; init; } = 24;
    /// <summary>Per-model rates (USD per token) that win over the table, keyed by model id: one set, or several
    /// dated ones that must not overlap.</summary>
    public Dictionary<string, List<PriceOverrideConfig>> Overrides { get; init; } = [];
    /// <summary>Percentages off the computed cost (contract discounts), over date ranges that must not overlap.</summary>
    public List<DiscountConfig> Discounts { get; init; } = [];
}
