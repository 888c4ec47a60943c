namespace TokenTelemetry.Pricing;

/// <summary>One provider's rows in a `reprice`: how many were looked at and rewritten, and their cost before and after
/// (NULL costs count as nothing; <see cref="NowPriced"/> and <see cref="NowUnpriced"/> say how many crossed over).</summary>
public sealed class RepriceTotals
{
    public long Rows { get; set; }
    public long Changed { get; set; }
    public decimal OldUsd { get; set; }
    public decimal NewUsd { get; set; }
    public long NowPriced { get; set; }
    public long NowUnpriced { get; set; }
}
