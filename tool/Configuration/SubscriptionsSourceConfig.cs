namespace TokenTelemetry.Configuration;

/// <summary>Fixed-price plans, written as month rows with NULL tokens and cost_basis subscription.</summary>
public sealed record SubscriptionsSourceConfig : SourceConfig
{
    public List<SubscriptionPlanConfig> Plans { get; init; } = [];
}
