using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>Batch API usage (the openai source's &lt;model&gt;#batch rows) at the table's batch rates, discounts taken off.</summary>
public static class BatchCost
{
    /// <summary>
    /// Batch API usage at the table's batch rates, the way LiteLLM's batch cost path does it: every input token
    /// (cache reads and writes included, there is no batch cache rate) × input_cost_per_token_batches + output ×
    /// output_cost_per_token_batches. NULL when the model has no batch rates or the counts are unknown.
    /// </summary>
    public static decimal? Total(ModelPrice price, UsageTelemetry usage, out Fallback fallbacks) =>
        Total(price, usage, BucketDiscounts.None, out _, out fallbacks);

    /// <summary>Batch usage after discounts (input covers the batch input, output the batch output), and before them.</summary>
    public static decimal? Total(ModelPrice price, UsageTelemetry usage, BucketDiscounts discounts, out decimal? list, out Fallback fallbacks)
    {
        fallbacks = Fallback.None;
        list = null;
        if (price.BatchInput is not { } input || price.BatchOutput is not { } output
            || usage.InputTokens is not { } inputTokens || usage.OutputTokens is not { } outputTokens) return null;
        if ((usage.CachedReadTokens ?? 0) + (usage.CachedWriteTokens ?? 0) > 0) fallbacks = Fallback.BatchCacheAtBatchInput;
        list = Math.Round(inputTokens * input + outputTokens * output, 9, MidpointRounding.AwayFromZero);
        if (!discounts.Any) return list;
        return Math.Round(inputTokens * input * discounts.Factor("input") + outputTokens * output * discounts.Factor("output"), 9, MidpointRounding.AwayFromZero);
    }

    /// <summary>Batch usage bucket by bucket (input and output at the batch rates), as <see cref="Total(ModelPrice, UsageTelemetry, BucketDiscounts, out decimal?, out Fallback)"/> prices it.</summary>
    public static CostBreakdown Price(ModelPrice price, UsageTelemetry usage, BucketDiscounts? discounts = null)
    {
        var d = discounts ?? BucketDiscounts.None;
        var total = Total(price, usage, d, out var list, out var fallbacks);
        if (total is null) return new CostBreakdown { MatchedKey = price.Key, Unpriced = $"{price.Key} has no batch rates, or the counts are unknown" };
        var why = fallbacks == Fallback.None ? null : CostCalculator.Describe(fallbacks);
        return new CostBreakdown
        {
            MatchedKey = price.Key, Total = CostCalculator.Trim(total.Value), ListTotal = CostCalculator.Trim(list!.Value), Discounts = d.Rules,
            Lines =
            [
                new CostLine("batch_input", usage.InputTokens!.Value, price.BatchInput!.Value, CostCalculator.Trim(usage.InputTokens.Value * price.BatchInput.Value), why, d.Percent("input")),
                new CostLine("batch_output", usage.OutputTokens!.Value, price.BatchOutput!.Value, CostCalculator.Trim(usage.OutputTokens.Value * price.BatchOutput.Value), null, d.Percent("output")),
            ],
        };
    }
}
