using TokenTelemetry.Usage;

namespace TokenTelemetry.Model;

/// <summary>One canonical token_usage row (DESIGN §2/§3). Every metric is nullable: NULL = not reported.</summary>
public sealed record TokenUsageRow
{
    public required string SourceSystem { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public required string ModelId { get; init; }
    public string? ProjectId { get; init; }
    public string? UserId { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    public required Granularity Granularity { get; init; }
    public required MeasurementBasis MeasurementBasis { get; init; }
    public long? InputTokens { get; init; }
    public long? CachedReadTokens { get; init; }
    public long? CachedWriteTokens { get; init; }
    public long? CachedWrite1hTokens { get; init; }
    public long? OutputTokens { get; init; }
    public long? ReasoningTokens { get; init; }
    public long? RequestCount { get; init; }
    public decimal? CostUsd { get; init; }
    public CostBasis? CostBasis { get; init; }
    /// <summary>Estimated: what the cache reads saved against the input rate (price table); NULL = unknown.</summary>
    public decimal? CacheSavingsUsd { get; init; }
    /// <summary>The provider's own payload for this row plus provenance, as JSON text.</summary>
    public string? RawUsage { get; init; }
    /// <summary>What computed the cost (snapshot, entry, override and discounts, list cost); written only with a computed
    /// cost (V0004). Not read back by the usage reader.</summary>
    public Pricing.PriceProvenance? Pricing { get; init; }

    /// <summary>
    /// The one way a collector turns a usage it read and the price it got into a row: every metric copied as the usage
    /// has it (NULL stays NULL), the cost columns as priced, the window one step of its granularity.
    /// </summary>
    public static TokenUsageRow Of(UsageTelemetry usage, Pricing.PricedUsage priced, string sourceSystem, string provider, string model, string modelId,
        DateTimeOffset windowStart, Granularity granularity, MeasurementBasis basis, string? userId, string? projectId, string rawUsage) => new()
    {
        SourceSystem = sourceSystem, Provider = provider, Model = model, ModelId = modelId, UserId = userId, ProjectId = projectId,
        WindowStart = windowStart, WindowEnd = WindowGrid.Next(windowStart, granularity), Granularity = granularity, MeasurementBasis = basis,
        InputTokens = usage.InputTokens, CachedReadTokens = usage.CachedReadTokens, CachedWriteTokens = usage.CachedWriteTokens,
        CachedWrite1hTokens = usage.CachedWrite1hTokens, OutputTokens = usage.OutputTokens, ReasoningTokens = usage.ReasoningTokens,
        RequestCount = usage.RequestCount,
        CostUsd = priced.CostUsd, CostBasis = priced.Basis, CacheSavingsUsd = priced.CacheSavingsUsd, Pricing = priced.Provenance,
        RawUsage = rawUsage,
    };

    /// <summary>The conflict key; NULL user/project compare equal, as in the database (invariant 6).</summary>
    public (string, string, DateTimeOffset, DateTimeOffset, string?, string?) Key =>
        (SourceSystem, ModelId, WindowStart.ToUniversalTime(), WindowEnd.ToUniversalTime(), UserId, ProjectId);
}
