namespace TokenTelemetry.Usage;

/// <summary>
/// The canonical usage of one model call (or of several, after <see cref="Add"/>), in the convention of DESIGN §2:
/// input INCLUDES cache reads and writes, output INCLUDES reasoning, and every metric is NULL when the route does
/// not report it — never 0.
/// </summary>
public sealed record UsageTelemetry
{
    public long? InputTokens { get; init; }
    public long? CachedReadTokens { get; init; }
    public long? CachedWriteTokens { get; init; }
    public long? CachedWrite1hTokens { get; init; }
    public long? OutputTokens { get; init; }
    public long? ReasoningTokens { get; init; }
    public long? RequestCount { get; init; }
    /// <summary>Cost the provider reported, already converted to USD (credits, cents or 1e-10 ticks → USD).</summary>
    public decimal? ProviderCostUsd { get; init; }
    public string? Model { get; init; }
    public string? Provider { get; init; }
    /// <summary>The route family the payload came through, e.g. anthropic.messages.</summary>
    public string? Route { get; init; }
    public double? TimeToFirstTokenMs { get; init; }
    public double? DurationMs { get; init; }
    /// <summary>The provider's own usage JSON, as received (merged, for a stream).</summary>
    public string? RawUsage { get; init; }
    /// <summary>Which mapper produced this, e.g. anthropic.messages@1.</summary>
    public string? Mapper { get; init; }
    /// <summary>When the payload says the call happened (else its log envelope); NULL when neither says.</summary>
    public DateTimeOffset? ObservedAt { get; init; }
    /// <summary>The call's own identity within its provider, when the payload (or its log envelope) carries one:
    /// the response / message id, else the envelope's request id. NULL when there is none; the ingest path then
    /// identifies the call by a hash of its normalized content (docs/schema.md, "Call identity").</summary>
    public string? CallId { get; init; }
    /// <summary>Metrics (snake_case names) that were NULL in some but not all of the calls summed into this one:
    /// their totals are lower bounds.</summary>
    public IReadOnlySet<string> PartiallyUnknown { get; init; } = Empty;

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>();

    /// <summary>
    /// Sums two usages: null + null = null, null + 5 = 5 with the metric remembered in <see cref="PartiallyUnknown"/>.
    /// Descriptive fields keep this side's value when both agree, else become NULL ("mixed"). Sums are checked: a
    /// total beyond a 64-bit count throws <see cref="OverflowException"/>, never wraps (the rollup rejects on it).
    /// </summary>
    public UsageTelemetry Add(UsageTelemetry other)
    {
        var partial = new HashSet<string>(PartiallyUnknown);
        partial.UnionWith(other.PartiallyUnknown);
        long? Sum(long? a, long? b, string name)
        {
            if (a is null && b is null) return null;
            if (a is null || b is null) partial.Add(name);
            return checked((a ?? 0) + (b ?? 0));
        }
        decimal? SumCost(decimal? a, decimal? b)
        {
            if (a is null && b is null) return null;
            if (a is null || b is null) partial.Add("cost_usd");
            return (a ?? 0) + (b ?? 0); // decimal addition always throws on overflow
        }
        T? Same<T>(T? a, T? b) => EqualityComparer<T?>.Default.Equals(a, b) ? a : default;
        return new UsageTelemetry
        {
            InputTokens = Sum(InputTokens, other.InputTokens, "input_tokens"),
            CachedReadTokens = Sum(CachedReadTokens, other.CachedReadTokens, "cached_read_tokens"),
            CachedWriteTokens = Sum(CachedWriteTokens, other.CachedWriteTokens, "cached_write_tokens"),
            CachedWrite1hTokens = Sum(CachedWrite1hTokens, other.CachedWrite1hTokens, "cached_write_1h_tokens"),
            OutputTokens = Sum(OutputTokens, other.OutputTokens, "output_tokens"),
            ReasoningTokens = Sum(ReasoningTokens, other.ReasoningTokens, "reasoning_tokens"),
            RequestCount = Sum(RequestCount, other.RequestCount, "request_count"),
            ProviderCostUsd = SumCost(ProviderCostUsd, other.ProviderCostUsd),
            Model = Same(Model, other.Model),
            Provider = Same(Provider, other.Provider),
            Route = Same(Route, other.Route),
            Mapper = Same(Mapper, other.Mapper),
            ObservedAt = ObservedAt is null || other.ObservedAt is null ? ObservedAt ?? other.ObservedAt
                : ObservedAt > other.ObservedAt ? ObservedAt : other.ObservedAt,
            PartiallyUnknown = partial,
        };
    }

    /// <summary>The invariants of DESIGN §2 that a single mapped record must hold; the first broken one, or null.</summary>
    public string? Inconsistency()
    {
        // Straight-line checks: this runs once per record on the normalize hot path.
        if (InputTokens < 0) return $"input_tokens is negative ({InputTokens})";
        if (CachedReadTokens < 0) return $"cached_read_tokens is negative ({CachedReadTokens})";
        if (CachedWriteTokens < 0) return $"cached_write_tokens is negative ({CachedWriteTokens})";
        if (CachedWrite1hTokens < 0) return $"cached_write_1h_tokens is negative ({CachedWrite1hTokens})";
        if (OutputTokens < 0) return $"output_tokens is negative ({OutputTokens})";
        if (ReasoningTokens < 0) return $"reasoning_tokens is negative ({ReasoningTokens})";
        var cached = (CachedReadTokens ?? 0) + (CachedWriteTokens ?? 0);
        if (InputTokens is { } input && cached > input)
            return $"cached_read_tokens + cached_write_tokens ({cached}) exceed input_tokens ({input})";
        if (OutputTokens is { } output && ReasoningTokens > output)
            return $"reasoning_tokens ({ReasoningTokens}) exceed output_tokens ({output})";
        if (CachedWrite1hTokens is { } oneHour && (CachedWriteTokens is null || oneHour > CachedWriteTokens))
            return $"cached_write_1h_tokens ({oneHour}) exceed cached_write_tokens ({CachedWriteTokens?.ToString() ?? "null"})";
        return null;
    }
}
