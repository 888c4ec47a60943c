namespace TokenTelemetry.Pricing;

/// <summary>
/// A computed cost: the matched entry, the long-context tier applied (NULL = base rates), each bucket, and the
/// total rounded to 1e-9 USD (the column's precision). <see cref="Total"/> is NULL when the usage cannot be priced
/// honestly; <see cref="Unpriced"/> then says why.
/// </summary>
public sealed record CostBreakdown
{
    public string? MatchedKey { get; init; }
    public long? TierAboveTokens { get; init; }
    public IReadOnlyList<CostLine> Lines { get; init; } = [];
    public decimal? Total { get; init; }
    public string? Unpriced { get; init; }

    public IEnumerable<string> Fallbacks => Lines.Where(l => l.Fallback is not null).Select(l => $"{l.Bucket}: {l.Fallback}");
}
