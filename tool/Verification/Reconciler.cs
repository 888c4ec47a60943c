using System.Globalization;
using Dapper;
using Npgsql;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Verification;

/// <summary>
/// `reconcile`: runs <see cref="ReconcileSql"/> and says, per billing source and period, what explains a drift between
/// computed cost and the bill — discounts (configured, or one the drift looks like), models without a price, billed days
/// without usage, days without a bill, estimates and charges that are not tokens.
/// </summary>
public sealed class Reconciler(SchemaName schema)
{
    public async Task<IReadOnlyList<ReconcileRow>> RunAsync(NpgsqlConnection connection, string by, DateTimeOffset from, DateTimeOffset to, string? provider, CancellationToken ct)
    {
        var rows = await connection.QueryAsync(new CommandDefinition(ReconcileSql.ForCommand(schema.Quoted, by),
            new { from = from.UtcDateTime, to = to.UtcDateTime, provider }, cancellationToken: ct));
        return rows.Select(r => (IDictionary<string, object?>)r).Select(r => new ReconcileRow
        {
            Provider = (string)r["provider"]!, Period = (string)r["period"]!,
            ComputedUsd = D(r, "computed_usd"), BilledUsd = D(r, "billed_usd"), OtherBilledUsd = D(r, "other_billed_usd"),
            DriftUsd = D(r, "drift_usd"), DriftPct = r["drift_pct"] is null ? null : D(r, "drift_pct"),
            ReportedUsd = D(r, "reported_usd"), DiscountUsd = D(r, "discount_usd"), UnpricedRows = L(r, "unpriced_rows"),
            UnpricedModels = (string?)r["unpriced_models"], EstimatedRows = L(r, "estimated_rows"), DaysWithoutBill = L(r, "days_without_bill"),
            UnbilledUsd = D(r, "unbilled_usd"), BilledDaysWithoutUsage = L(r, "billed_days_without_usage"),
        }).ToList();
    }

    public static bool Beyond(ReconcileRow row, decimal tolerance) => row.DriftPct is { } pct && Math.Abs(pct) > tolerance;

    /// <summary>What explains the row's drift, most telling first; <paramref name="discounts"/> are the configured ones.</summary>
    public static IReadOnlyList<string> Explain(ReconcileRow row, decimal tolerance, IReadOnlyList<DiscountRule> discounts)
    {
        var notes = new List<string>();
        var (start, end) = Span(row.Period);
        var inForce = discounts.Where(d => string.Equals(d.Provider, row.Provider, StringComparison.OrdinalIgnoreCase)
            && (d.Span.From is null || DateSpan.Midnight(d.Span.From.Value) < end) && (d.Span.To is null || DateSpan.Midnight(d.Span.To.Value) > start)).ToList();
        var labels = string.Join(", ", inForce.Select(d => d.Label));
        if (row.DriftPct is not { } pct)
            notes.Add(row.BilledUsd > 0 ? $"the bill holds only charges that are not tokens (${Usd(row.OtherBilledUsd)})" : "no bill for this period yet");
        else if (!Beyond(row, tolerance)) notes.Add($"within ±{Pct(tolerance)} %");
        else if (pct > 0 && inForce.Count == 0)
            notes.Add($"computed is {Pct(pct)} % above the bill: a discount of {Pct(100m * (1m - row.BilledTokensUsd / row.ComputedUsd))} % off list would explain it — if the contract has one, add it to pricing.discounts and run `reprice`");
        else if (pct > 0)
            notes.Add($"computed is {Pct(pct)} % above the bill although {labels} apply: check their percent and dates, then `reprice`");
        else if (row.UnpricedRows == 0 && row.BilledDaysWithoutUsage == 0)
            notes.Add($"computed is {Pct(-pct)} % below the bill: usage the source does not list (other products, batch without batch rates), rates above the table's (pricing.overrides)" +
                (inForce.Count > 0 ? $", or a discount larger than the contract's ({labels})" : ""));
        if (row.DiscountUsd > 0) notes.Add($"discounts took ${Usd(row.DiscountUsd)} off list{(labels.Length > 0 ? $" ({labels})" : "")}");
        if (row.UnpricedRows > 0) notes.Add($"{row.UnpricedRows} row(s) without a price ({row.UnpricedModels}): computed is understated — add pricing.overrides, then `reprice`");
        if (row.BilledDaysWithoutUsage > 0) notes.Add($"{row.BilledDaysWithoutUsage} billed day(s) without usage rows: collect them (`collect --source {row.Provider} --from … --to …`)");
        if (row.DaysWithoutBill > 0) notes.Add($"{row.DaysWithoutBill} day(s) without a bill (${Usd(row.UnbilledUsd)} computed) left out of the comparison: the bill arrives late, or costs are not collected");
        if (row.OtherBilledUsd > 0 && row.DriftPct is not null) notes.Add($"${Usd(row.OtherBilledUsd)} of charges that are not tokens (web search, code execution, …) left out of the comparison");
        if (row.EstimatedRows > 0) notes.Add($"{row.EstimatedRows} estimated row(s) (derived_estimate) in computed");
        if (row.ReportedUsd > 0) notes.Add($"${Usd(row.ReportedUsd)} of computed is the provider's own per-model cost (provider_reported)");
        return notes;
    }

    private static (DateTimeOffset Start, DateTimeOffset End) Span(string period)
    {
        var month = period.Length == 7;
        var start = DateTimeOffset.ParseExact(month ? period + "-01" : period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return (start, month ? start.AddMonths(1) : start.AddDays(1));
    }

    internal static string Usd(decimal v) => v.ToString("#,0.00####", CultureInfo.InvariantCulture);
    internal static string Pct(decimal v) => v.ToString("0.0##", CultureInfo.InvariantCulture);

    private static decimal D(IDictionary<string, object?> r, string name) => Convert.ToDecimal(r[name] ?? 0m, CultureInfo.InvariantCulture);
    private static long L(IDictionary<string, object?> r, string name) => Convert.ToInt64(r[name] ?? 0L, CultureInfo.InvariantCulture);
}
