namespace TokenTelemetry.Configuration;

/// <summary>Fixed-price plans, written as day rows (each billing period's price spread over its days) with NULL tokens and cost_basis subscription.</summary>
public sealed record SubscriptionsSourceConfig : SourceConfig
{
    public List<SubscriptionPlanConfig> Plans { get; init; } = [];
}
