namespace TokenTelemetry.Pricing;

/// <summary>One bucket of a cost: tokens × USD-per-token rate (<see cref="Cost"/>, at list), the fallback used when the
/// table lacked the rate, and the percent a discount takes off it (<see cref="Net"/> is what is paid).</summary>
public sealed record CostLine(string Bucket, long Tokens, decimal Rate, decimal Cost, string? Fallback, decimal DiscountPercent = 0m)
{
    public decimal Net => DiscountPercent == 0m ? Cost : CostCalculator.Trim(Cost * (1m - DiscountPercent / 100m));
}
