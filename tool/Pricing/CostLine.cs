namespace TokenTelemetry.Pricing;

/// <summary>One bucket of a cost: tokens × USD-per-token rate, and the fallback used when the table lacked the rate.</summary>
public sealed record CostLine(string Bucket, long Tokens, decimal Rate, decimal Cost, string? Fallback);
