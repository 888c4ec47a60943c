namespace TokenTelemetry.Pricing;

/// <summary>One price-table entry: base rates, long-context tiers (largest threshold first), and where it came from.</summary>
public sealed record ModelPrice
{
    public required string Key { get; init; }
    /// <summary>LiteLLM's litellm_provider (e.g. anthropic, bedrock_converse, vertex_ai-language-models).</summary>
    public string? Provider { get; init; }
    public string? Mode { get; init; }
    public required Rates Base { get; init; }
    public IReadOnlyList<PriceTier> Tiers { get; init; } = [];
    /// <summary>DeepSeek's legacy name for the cache-read rate (input_cost_per_token_cache_hit).</summary>
    public decimal? LegacyCacheHit { get; init; }
    /// <summary>Batch API rates (input_cost_per_token_batches / output_cost_per_token_batches); NULL when not listed.</summary>
    public decimal? BatchInput { get; init; }
    public decimal? BatchOutput { get; init; }
    /// <summary>True when config overrides set some of these rates.</summary>
    public bool Overridden { get; init; }

    /// <summary>Anthropic models get Anthropic's documented multipliers when a cache rate is missing.</summary>
    public bool IsClaude => Key.Contains("claude", StringComparison.OrdinalIgnoreCase) || Provider == "anthropic";
}
