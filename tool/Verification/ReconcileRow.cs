namespace TokenTelemetry.Verification;

/// <summary>
/// One billing source and period of <see cref="ReconcileSql"/>: computed cost on the days that have a bill, the bill
/// (and its non-token part), the drift of computed against the bill's token part in USD and percent (NULL without a
/// bill), and what explains a drift.
/// </summary>
public sealed record ReconcileRow
{
    public string Provider { get; init; } = "";
    public string Period { get; init; } = "";
    public decimal ComputedUsd { get; init; }
    public decimal BilledUsd { get; init; }
    public decimal OtherBilledUsd { get; init; }
    public decimal DriftUsd { get; init; }
    public decimal? DriftPct { get; init; }
    public decimal ReportedUsd { get; init; }
    public decimal DiscountUsd { get; init; }
    public long UnpricedRows { get; init; }
    public string? UnpricedModels { get; init; }
    public long EstimatedRows { get; init; }
    public long DaysWithoutBill { get; init; }
    public decimal UnbilledUsd { get; init; }
    public long BilledDaysWithoutUsage { get; init; }

    /// <summary>The bill's token charges, what computed cost is compared with.</summary>
    public decimal BilledTokensUsd => BilledUsd - OtherBilledUsd;
}
