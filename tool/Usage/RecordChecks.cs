namespace TokenTelemetry.Usage;

/// <summary>
/// What a mapped record must keep to be stored (DESIGN §4.15), checked before it leaves the normalizer so that the
/// record is rejected alone, with its line: the canonical invariants, counts within <see cref="UsageLimits.MaxCount"/>,
/// a provider cost the column can hold, and labels without control characters or absurd length.
/// </summary>
public static class RecordChecks
{
    public static string? Problem(UsageTelemetry u) =>
        u.Inconsistency()
        ?? UsageLimits.CountProblem("input_tokens", u.InputTokens)
        ?? UsageLimits.CountProblem("cached_read_tokens", u.CachedReadTokens)
        ?? UsageLimits.CountProblem("cached_write_tokens", u.CachedWriteTokens)
        ?? UsageLimits.CountProblem("cached_write_1h_tokens", u.CachedWrite1hTokens)
        ?? UsageLimits.CountProblem("output_tokens", u.OutputTokens)
        ?? UsageLimits.CountProblem("reasoning_tokens", u.ReasoningTokens)
        ?? UsageLimits.CountProblem("request_count", u.RequestCount)
        ?? UsageLimits.CostProblem("cost_usd", u.ProviderCostUsd)
        ?? UsageLimits.LabelProblem("model", u.Model)
        ?? UsageLimits.LabelProblem("provider", u.Provider);
}
