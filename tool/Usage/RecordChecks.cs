namespace TokenTelemetry.Usage;

/// <summary>
/// What a mapped record must keep to be stored (DESIGN §4.15), checked before it leaves the normalizer so that the
/// record is rejected alone, with its line: the canonical invariants, counts within <see cref="UsageLimits.MaxCount"/>,
/// a provider cost the column can hold, and labels without control characters or absurd length.
/// </summary>
public static class RecordChecks
{
    /// <summary>char.IsControl's set (U+0000–U+001F, U+007F–U+009F), as two vectorised range searches: this runs
    /// for every record.</summary>
    public static bool HasControl(string value) =>
        value.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || value.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0;

    public static string? Problem(UsageTelemetry u)
    {
        // The common case in a few comparisons; the named checks below only run to say what is wrong.
        var largest = Math.Max(Math.Max(Math.Max(u.InputTokens ?? 0, u.CachedReadTokens ?? 0), Math.Max(u.CachedWriteTokens ?? 0, u.CachedWrite1hTokens ?? 0)),
            Math.Max(Math.Max(u.OutputTokens ?? 0, u.ReasoningTokens ?? 0), u.RequestCount ?? 0));
        if (largest <= UsageLimits.MaxCount && u.ProviderCostUsd is null or (>= 0 and <= UsageLimits.MaxCostUsd)
            && Clean(u.Model) && Clean(u.Provider))
            return u.Inconsistency();
        return Named(u);
    }

    private static bool Clean(string? label) => label is null || (label.Length <= UsageLimits.MaxLabelLength && !HasControl(label));

    private static string? Named(UsageTelemetry u) =>
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
