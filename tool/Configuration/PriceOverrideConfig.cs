using YamlDotNet.Serialization;

namespace TokenTelemetry.Configuration;

/// <summary>USD per token, in LiteLLM's field names.</summary>
public sealed record PriceOverrideConfig
{
    public decimal? InputCostPerToken { get; init; }
    public decimal? OutputCostPerToken { get; init; }
    public decimal? CacheReadInputTokenCost { get; init; }
    public decimal? CacheCreationInputTokenCost { get; init; }
    [YamlMember(Alias = "cache_creation_input_token_cost_above_1hr")]
    public decimal? CacheCreationInputTokenCostAbove1hr { get; init; }
    public decimal? OutputCostPerReasoningToken { get; init; }
    /// <summary>Batch API rates, used only for batch usage (the openai source's &lt;model&gt;#batch rows).</summary>
    public decimal? InputCostPerTokenBatches { get; init; }
    public decimal? OutputCostPerTokenBatches { get; init; }
}
