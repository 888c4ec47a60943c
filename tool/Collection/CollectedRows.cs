using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Collection;

/// <summary>
/// The bounds a collector's row must keep before it is written (DESIGN §4.15), as files' records keep theirs: labels
/// the database and the dashboards can hold, counts up to 10^15 per aggregate row (a provider bucket of one model and
/// project; a trillion tokens a day is already beyond any real organisation, and sums of such rows must stay well
/// inside bigint for reports), costs below the column's limit. A row beyond them is a broken response: the source
/// fails for this cycle, naming it, and nothing of it is written.
/// </summary>
public static class CollectedRows
{
    public const long MaxCountPerRow = 1_000_000_000_000_000L;

    public static string? Problem(TokenUsageRow r)
    {
        var label = UsageLimits.LabelProblem("model", r.ModelId) ?? UsageLimits.LabelProblem("provider", r.Provider)
            ?? UsageLimits.LabelProblem("user_id", r.UserId) ?? UsageLimits.LabelProblem("project_id", r.ProjectId);
        if (label is not null) return label;
        foreach (var (name, value) in new[]
        {
            ("input_tokens", r.InputTokens), ("cached_read_tokens", r.CachedReadTokens), ("cached_write_tokens", r.CachedWriteTokens),
            ("cached_write_1h_tokens", r.CachedWrite1hTokens), ("output_tokens", r.OutputTokens), ("reasoning_tokens", r.ReasoningTokens),
            ("request_count", r.RequestCount),
        })
            if (value is < 0 or > MaxCountPerRow) return $"{name} {value} is outside 0 … {MaxCountPerRow:N0}";
        return UsageLimits.CostProblem("cost_usd", r.CostUsd) ?? UsageLimits.CostProblem("cache_savings_usd", r.CacheSavingsUsd);
    }
}
