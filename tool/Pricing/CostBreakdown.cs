namespace TokenTelemetry.Pricing;

/// <summary>
/// A computed cost: the matched entry, the long-context tier applied (NULL = base rates), each bucket, and the
/// total rounded to 1e-9 USD (the column's precision) after discounts, with the list total before them.
/// <see cref="Total"/> is NULL when the usage cannot be priced honestly; <see cref="Unpriced"/> then says why.
/// </summary>
public sealed record CostBreakdown
{
    public string? MatchedKey { get; init; }
    public long? TierAboveTokens { get; init; }
    public IReadOnlyList<CostLine> Lines { get; init; } = [];
    public decimal? Total { get; init; }
    /// <summary>The total before discounts (equal to <see cref="Total"/> when none applied).</summary>
    public decimal? ListTotal { get; init; }
    public string? Unpriced { get; init; }
    /// <summary>The override and discounts applied, as provenance labels them; NULL when none.</summary>
    public string? Rules { get; init; }
    /// <summary>The discounts that took their percent off some bucket.</summary>
    public IReadOnlyList<DiscountRule> Discounts { get; init; } = [];

    public IEnumerable<string> Fallbacks => Lines.Where(l => l.Fallback is not null).Select(l => $"{l.Bucket}: {l.Fallback}");
}
