using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

/// <summary>`pricing explain`: how stored rows got their cost, bucket by bucket, from the snapshot that priced them.</summary>
public sealed class PricingExplainCommand(ILogger<PricingExplainCommand> log)
{
    [Command("explain", Description = "Show how stored rows' costs were computed, bucket by bucket, with the table, override and discounts that priced them")]
    public async Task<int> Explain(GlobalOptions global,
        [Option(Description = "The row's id")] long? id = null,
        [Option(Description = "Rows of this source_system")] string? source = null,
        [Option(Description = "Rows of this model (model_id or the model as reported)")] string? model = null,
        [Option(Description = "Rows whose window holds this time (ISO 8601)")] string? at = null,
        [Option(Description = "Rows of this user_id")] string? user = null,
        [Option(Description = "Rows of this project_id")] string? project = null,
        [Option(Description = "At most this many rows (default 5)")] int limit = 5,
        [Option(Description = "Print JSON lines, one per row")] bool json = false)
    {
        if (id is null && source is null && model is null && at is null && user is null && project is null)
            throw new TelemetryException("say which rows to explain", "pass --id N, or --source/--model/--at/--user/--project (e.g. --model gpt-4o --at 2026-11-20T13:00:00Z)");
        if (limit is < 1 or > 1000) throw new TelemetryException($"--limit {limit} is not between 1 and 1000");
        var filter = new ProvenanceReader.Filter(id, source, model, at is null ? null : IsoTime.Parse(at, "--at"), user, project, limit);

        var instance = InstanceLoading.Load(global, requireSources: false);
        foreach (var e in await new ExplainCosts(instance, Terminal.Feedback(log)).RunAsync(filter, ProcessLifetime.Token))
            Terminal.Out(json ? Json(e.Row, e.Snapshot, e.Rules, e.Breakdown, e.Now) : Text(e.Row, e.Snapshot, e.Rules, e.Breakdown, e.Now));
        return ExitCodes.Ok;
    }

    private static string Text(ExplainedRow e, PriceSnapshotStore.Snapshot? snapshot, PricingRules rules, CostBreakdown? breakdown, decimal? now)
    {
        var r = e.Row;
        var lines = new List<string>
        {
            $"row {e.Id}: {ReportTable.Printable(r.SourceSystem)} {ReportTable.Printable(r.ModelId)} (provider {ReportTable.Printable(r.Provider)}), " +
            $"{r.WindowStart:yyyy-MM-dd'T'HH:mm'Z'} → {r.WindowEnd:yyyy-MM-dd'T'HH:mm'Z'} ({r.Granularity.Label()}, {r.MeasurementBasis.Label()})" +
            (r.UserId is null ? "" : $", user {ReportTable.Printable(r.UserId)}") + (r.ProjectId is null ? "" : $", project {ReportTable.Printable(r.ProjectId)}") +
            (e.Counted ? $", {r.RequestCount:N0} counted call(s)" : ""),
        };
        var cost = r.CostUsd is { } c ? CostPrinter.Usd(c) + " USD" : "unknown (NULL)";
        switch (r.CostBasis)
        {
            case CostBasis.ProviderReported:
                lines.Add($"  cost_usd {cost}, reported by the provider: not computed (`reprice --include-reported` would replace it by the computed cost{(now is { } n ? $", {CostPrinter.Usd(n)} USD now" : "")})");
                return string.Join("\n", lines);
            case CostBasis.Subscription:
                lines.Add($"  cost_usd {cost}: the day's share of a subscription plan (raw_usage holds the plan and its period), not priced per token");
                return string.Join("\n", lines);
        }
        lines.Add(r.CostBasis is null ? $"  cost_usd {cost}" :
            e.Pricing is null ? $"  cost_usd {cost} computed; no provenance recorded (priced before V0004, or by import/requests/manual) — explained with the current table and config"
            : snapshot is null ? $"  cost_usd {cost} computed by snapshot {e.Pricing.Snapshot}, which was not recorded — explained with the current table and config"
            : $"  cost_usd {cost} computed by snapshot {snapshot.Id}: {snapshot.TableSource} (sha256 {snapshot.TableSha256[..12]}…)");
        lines.Add(string.Join("\n", CostPrinter.Table(r.ModelId, rules.Table.Source, breakdown).Split('\n').Select(l => "  " + l)));
        if (breakdown?.Total is { } total && r.CostUsd is { } stored)
            lines.Add(total == stored ? "  = the stored cost_usd"
                : e.Counted && r.RequestCount > 1 ? $"  the stored cost_usd ({CostPrinter.Usd(stored)}) sums {r.RequestCount:N0} calls each priced on its own (long-context rates and rounding per call); from the row's sums: {CostPrinter.Usd(total)}"
                : $"  the stored cost_usd is {CostPrinter.Usd(stored)}: it was priced otherwise (before provenance was recorded, or edited)");
        if (now != (breakdown?.Total ?? r.CostUsd))
            lines.Add(now is { } current
                ? $"  the current table and config give {CostPrinter.Usd(current)} USD: `token-telemetry reprice --from {r.WindowStart:yyyy-MM-dd'T'HH:mm:ss'Z'} --to {r.WindowEnd:yyyy-MM-dd'T'HH:mm:ss'Z'} --source {r.SourceSystem}` updates the row"
                : "  the current table and config have no price for it");
        return string.Join("\n", lines);
    }

    private static string Json(ExplainedRow e, PriceSnapshotStore.Snapshot? snapshot, PricingRules rules, CostBreakdown? breakdown, decimal? now) =>
        CostPrinter.Json(e.Row.ModelId, rules.Table.Source, breakdown, new Dictionary<string, object?>
        {
            ["id"] = e.Id, ["source_system"] = e.Row.SourceSystem, ["provider"] = e.Row.Provider, ["model_id"] = e.Row.ModelId,
            ["window_start"] = e.Row.WindowStart, ["window_end"] = e.Row.WindowEnd, ["counted_calls"] = e.Counted ? e.Row.RequestCount : null,
            ["stored_cost_usd"] = e.Row.CostUsd, ["stored_cost_basis"] = e.Row.CostBasis?.Label(), ["price_snapshot"] = e.Pricing?.Snapshot,
            ["snapshot_recorded"] = snapshot is not null, ["price_rules"] = e.Pricing?.Rules, ["current_cost_usd"] = now,
            ["cost_usd"] = e.Row.CostBasis is CostBasis.Computed or null ? breakdown?.Total : null,
        });
}
