namespace TokenTelemetry.Usage;

/// <summary>How a row's numbers were obtained (invariant 4): per-request counts, a provider's pre-summed
/// aggregate, or an estimate derived from a proxy such as a subscription price.</summary>
public enum MeasurementBasis
{
    Exact,
    ProviderAggregate,
    DerivedEstimate,
}
