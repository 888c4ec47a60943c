namespace TokenTelemetry.Usage;

/// <summary>Where cost_usd came from. Provider-reported cost wins over computed cost (invariant 13).</summary>
public enum CostBasis
{
    ProviderReported,
    Computed,
    Subscription,
}
