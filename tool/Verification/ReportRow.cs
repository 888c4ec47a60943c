namespace TokenTelemetry.Verification;

/// <summary>One group of a spend-and-tokens report: sums keep NULL when no row of the group reported the metric.</summary>
public sealed record ReportRow(
    string Key, long? InputTokens, long? CachedReadTokens, long? CachedWriteTokens, long? OutputTokens, long? ReasoningTokens,
    long? RequestCount, decimal? CostUsd, decimal? CacheRatio, bool Estimated, long UnpricedRows);
