namespace TokenTelemetry.Configuration;

public sealed record PricingConfig
{
    /// <summary>bundled (the snapshot shipped in the tool), file, or url.</summary>
    public string Source { get; init; } = "bundled";
    public string? File { get; init; }
    public string? Url { get; init; }
    public int CacheHours { get; init; } = 24;
    /// <summary>Per-model rates (USD per token) that win over the table, keyed by model id.</summary>
    public Dictionary<string, PriceOverrideConfig> Overrides { get; init; } = [];
}
