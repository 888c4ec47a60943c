namespace TokenTelemetry.Usage;

/// <summary>The Postgres enum labels of the usage enums, which are also their names in JSON output.</summary>
public static class DbLabels
{
    public static string Label(this Granularity value) => value switch
    {
        Granularity.FifteenMinutes => "15min",
        Granularity.Hour => "hour",
        Granularity.Day => "day",
        Granularity.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string Label(this MeasurementBasis value) => value switch
    {
        MeasurementBasis.Exact => "exact",
        MeasurementBasis.ProviderAggregate => "provider_aggregate",
        MeasurementBasis.DerivedEstimate => "derived_estimate",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string Label(this CostBasis value) => value switch
    {
        CostBasis.ProviderReported => "provider_reported",
        CostBasis.Computed => "computed",
        CostBasis.Subscription => "subscription",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static Granularity ParseGranularity(string label) => Parse<Granularity>(label, Label);
    public static MeasurementBasis ParseMeasurementBasis(string label) => Parse<MeasurementBasis>(label, Label);
    public static CostBasis ParseCostBasis(string label) => Parse<CostBasis>(label, Label);

    private static T Parse<T>(string label, Func<T, string> toLabel) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (toLabel(value) == label) return value;
        throw new FormatException($"'{label}' is not one of {string.Join(", ", Enum.GetValues<T>().Select(toLabel))}");
    }
}
