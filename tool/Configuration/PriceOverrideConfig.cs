using YamlDotNet.Serialization;

namespace TokenTelemetry.Configuration;

/// <summary>
/// One pricing.overrides entry: USD per token, in LiteLLM's field names, in force from <see cref="From"/>
/// (inclusive, UTC day) to <see cref="To"/> (exclusive); without dates, always. A model's overrides may be written as
/// one mapping or as a list of dated ones (a negotiated rate replaced by a later one).
/// </summary>
[OneOrMany]
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
    /// <summary>First UTC day the rates apply (inclusive); none = since always.</summary>
    public DateOnly? From { get; init; }
    /// <summary>First UTC day they no longer apply (exclusive); none = still in force.</summary>
    public DateOnly? To { get; init; }
}
