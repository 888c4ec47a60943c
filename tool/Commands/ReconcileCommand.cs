using System.Globalization;
using System.Text;
using System.Text.Json;
using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.UseCases;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed class ReconcileCommand(ILogger<ReconcileCommand> log)
{
    [Command("reconcile", Description = "Computed vs billed cost per billing source and day or month, the drift and what explains it; exit 2 beyond watchdog.cost_drift_percent")]
    public async Task<int> Reconcile(GlobalOptions global,
        [Option(Description = "day or month (default month)")] string by = "month",
        [Option(Description = "Only this billing source (openai, anthropic, copilot)")] string? provider = null,
        [Option(Description = "Start (ISO 8601; default: the first of the month two months ago)")] string? from = null,
        [Option(Description = "End, exclusive (default: now)")] string? to = null,
        [Option(Description = "Print JSON")] bool json = false)
    {
        var ct = ProcessLifetime.Token;
        if (by is not ("day" or "month")) throw new TelemetryException($"--by '{by}' is not day or month");
        var now = CollectionSetup.Clock().GetUtcNow();
        var start = from is null ? new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-2) : IsoTime.Parse(from, "--from");
        var end = to is null ? now : IsoTime.Parse(to, "--to");
        if (start >= end) throw new TelemetryException($"--from {start:yyyy-MM-dd'T'HH:mm:ss'Z'} is not before --to {end:yyyy-MM-dd'T'HH:mm:ss'Z'}", "the period is [from, to)");

        var instance = InstanceLoading.Load(global, requireSources: false);
        var tolerance = instance.Config.Watchdog.CostDriftPercent;
        var discounts = PricingRules.DiscountsOf(instance.Config.Pricing);
        var rows = await new ReconcileBills(instance, Terminal.Feedback(log)).RunAsync(by, start, end, provider, ct);
        var failed = rows.Any(r => Reconciler.Beyond(r, tolerance));
        Terminal.Out(json
            ? JsonSerializer.Serialize(new
            {
                from = start, to = end, by, tolerance_percent = tolerance, passed = !failed,
                periods = rows.Select(r => new
                {
                    provider = r.Provider, period = r.Period, computed_usd = r.ComputedUsd, billed_usd = r.BilledUsd, other_billed_usd = r.OtherBilledUsd,
                    drift_usd = r.DriftUsd, drift_pct = r.DriftPct, beyond_tolerance = Reconciler.Beyond(r, tolerance), reported_usd = r.ReportedUsd,
                    discount_usd = r.DiscountUsd, unpriced_rows = r.UnpricedRows, unpriced_models = r.UnpricedModels, estimated_rows = r.EstimatedRows,
                    days_without_bill = r.DaysWithoutBill, unbilled_usd = r.UnbilledUsd, billed_days_without_usage = r.BilledDaysWithoutUsage,
                    explanation = Reconciler.Explain(r, tolerance, discounts),
                }),
            })
            : Table(by, start, end, tolerance, rows, discounts));
        return ExitCodes.PartialIf(failed);
    }

    internal static string Table(string by, DateTimeOffset start, DateTimeOffset end, decimal tolerance, IReadOnlyList<ReconcileRow> rows, IReadOnlyList<DiscountRule> discounts)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{start:yyyy-MM-dd HH:mm} → {end:yyyy-MM-dd HH:mm} UTC, by {by}; a drift beyond ±{Reconciler.Pct(tolerance)} % fails (watchdog.cost_drift_percent)\n");
        if (rows.Count == 0)
            return sb.Append("no billed cost in this period: enable costs on the openai or anthropic source (sources.*.costs) and collect").ToString();
        sb.Append(CultureInfo.InvariantCulture, $"{"provider",-12} {"period",-10} {"computed USD",16} {"billed USD",16} {"drift USD",14} {"drift %",9}  status\n");
        foreach (var r in rows)
        {
            var status = r.DriftPct is null ? "no bill" : Reconciler.Beyond(r, tolerance) ? "DRIFT" : "ok";
            sb.Append(CultureInfo.InvariantCulture,
                $"{ReportTable.Printable(r.Provider),-12} {r.Period,-10} {Reconciler.Usd(r.ComputedUsd),16} {Reconciler.Usd(r.BilledTokensUsd),16} {Reconciler.Usd(r.DriftUsd),14} {(r.DriftPct is { } p ? Reconciler.Pct(p) : "—"),9}  {status}\n");
            foreach (var note in Reconciler.Explain(r, tolerance, discounts)) sb.Append("    ").Append(note).Append('\n');
        }
        return sb.Append("billed USD is the bill's token charges; computed counts only the days that have a bill").ToString();
    }
}
