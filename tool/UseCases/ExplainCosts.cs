using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.UseCases;

/// <summary>`pricing explain`: how stored rows got their cost, bucket by bucket, from the snapshot that priced them
/// (the current table for rows priced before snapshots were kept), and what they would cost today.</summary>
public sealed class ExplainCosts(Instance instance, Feedback feedback)
{
    public sealed record Explained(ExplainedRow Row, PriceSnapshotStore.Snapshot? Snapshot, PricingRules Rules, CostBreakdown? Breakdown, decimal? Now);

    public async Task<IReadOnlyList<Explained>> RunAsync(ProvenanceReader.Filter filter, CancellationToken ct)
    {
        var current = (await CollectionSetup.ContextAsync(instance, feedback.Warn, ct)).Pricer.Rules;
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        await SchemaInspector.RequireVersionAsync(connection, database.Schema, 4, ct);
        var rows = await new ProvenanceReader(database.Schema).ReadAsync(connection, filter, ct);
        if (rows.Count == 0) throw new TelemetryException("no stored row matches", "check --id, or widen --source/--model/--at (a window holds --at when start ≤ at < end)");
        feedback.Log.LogDebug("pricing explain: config {ConfigPath}; {Count} row(s); current snapshot {Snapshot}", instance.ConfigPath, rows.Count, current.SnapshotId);
        var snapshots = new PriceSnapshotStore(database.Schema);
        var explained = new List<Explained>();
        foreach (var row in rows)
        {
            PriceSnapshotStore.Snapshot? snapshot = row.Pricing is { } p ? await snapshots.LoadAsync(connection, p.Snapshot, [p.Key], ct) : null;
            var rules = snapshot is not null ? CostExplainer.FromSnapshot(snapshot) : current;
            var breakdown = row.Row.CostBasis is CostBasis.Computed or null ? CostExplainer.Breakdown(rules, row) : null;
            explained.Add(new Explained(row, snapshot, rules, breakdown, CostExplainer.Breakdown(current, row)?.Total));
        }
        return explained;
    }
}
