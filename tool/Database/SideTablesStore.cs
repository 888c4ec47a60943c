using Dapper;
using Npgsql;
using TokenTelemetry.Model;

namespace TokenTelemetry.Database;

/// <summary>
/// billed_cost (replaced per source and bucket range, delete + insert, in the caller's transaction) and
/// usage_meter (upserted per reading), plus the freshness facts the collector needs about token_usage.
/// </summary>
public sealed class SideTablesStore(SchemaName schema)
{
    public async Task ReplaceBilledCostsAsync(NpgsqlTransaction tx, string sourceSystem, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyList<BilledCostRow> rows, CancellationToken ct)
    {
        var s = schema.Quoted;
        await tx.Connection!.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {s}.billed_cost WHERE source_system = @sourceSystem AND bucket_start >= @from AND bucket_start < @to",
            new { sourceSystem, from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));
        if (rows.Count == 0) return;
        await tx.Connection!.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {s}.billed_cost (source_system, bucket_start, bucket_end, project_id, line_item, model, amount_usd, currency, raw)
            SELECT * FROM unnest(@sources, @starts, @ends, @projects, @items, @models, @amounts, @currencies, @raws::jsonb[])
            """, new
        {
            sources = rows.Select(r => r.SourceSystem).ToArray(),
            starts = rows.Select(r => r.BucketStart.UtcDateTime).ToArray(),
            ends = rows.Select(r => r.BucketEnd.UtcDateTime).ToArray(),
            projects = rows.Select(r => r.ProjectId).ToArray(),
            items = rows.Select(r => r.LineItem).ToArray(),
            models = rows.Select(r => r.Model).ToArray(),
            amounts = rows.Select(r => r.AmountUsd).ToArray(),
            currencies = rows.Select(r => r.Currency).ToArray(),
            raws = rows.Select(r => r.Raw).ToArray(),
        }, tx, cancellationToken: ct));
    }

    public async Task UpsertMetersAsync(NpgsqlTransaction tx, IReadOnlyList<MeterRow> rows, CancellationToken ct)
    {
        var s = schema.Quoted;
        foreach (var group in rows.GroupBy(r => r.UserId is null))
        {
            var conflict = group.Key ? "(source_system, meter, observed_at) WHERE user_id IS NULL" : "(source_system, meter, user_id, observed_at) WHERE user_id IS NOT NULL";
            // One reading per key: the last one given wins, as an upsert would.
            var latest = group.GroupBy(r => (r.SourceSystem, r.Meter.Meter, r.UserId, r.Meter.ObservedAt)).Select(g => g.Last()).ToList();
            await tx.Connection!.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO {s}.usage_meter (source_system, meter, user_id, plan, observed_at, window_minutes, resets_at, used_percent, used, limit_value, unit, raw)
                SELECT * FROM unnest(@sources, @meters, @users, @plans, @observed, @windows, @resets, @percents, @used, @limits, @units, @raws::jsonb[])
                ON CONFLICT {conflict} DO UPDATE SET plan = EXCLUDED.plan, window_minutes = EXCLUDED.window_minutes,
                    resets_at = EXCLUDED.resets_at, used_percent = EXCLUDED.used_percent, used = EXCLUDED.used,
                    limit_value = EXCLUDED.limit_value, unit = EXCLUDED.unit, raw = EXCLUDED.raw
                """, new
            {
                sources = latest.Select(r => r.SourceSystem).ToArray(),
                meters = latest.Select(r => r.Meter.Meter).ToArray(),
                users = latest.Select(r => r.UserId).ToArray(),
                plans = latest.Select(r => r.Meter.Plan).ToArray(),
                observed = latest.Select(r => (r.Meter.ObservedAt ?? DateTimeOffset.UtcNow).UtcDateTime).ToArray(),
                windows = latest.Select(r => r.Meter.WindowMinutes).ToArray(),
                resets = latest.Select(r => r.Meter.ResetsAt?.UtcDateTime).ToArray(),
                percents = latest.Select(r => r.Meter.UsedPercent).ToArray(),
                used = latest.Select(r => r.Meter.Used).ToArray(),
                limits = latest.Select(r => r.Meter.LimitValue).ToArray(),
                units = latest.Select(r => r.Meter.Unit).ToArray(),
                raws = latest.Select(r => r.Meter.Raw).ToArray(),
            }, tx, cancellationToken: ct));
        }
    }

    /// <summary>Deletes a source's rows in [from, to) that this transaction did not write: after a window's
    /// upsert, what the source no longer reports for it. Rows written in this transaction carry updated_at = now().
    /// Their call_ledger entries go with them. Returns the number of rows deleted.</summary>
    public Task<int> DeleteUntouchedUsageAsync(NpgsqlTransaction tx, string sourceSystem, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition($"""
            WITH gone AS (
                DELETE FROM {schema.Quoted}.token_usage
                WHERE source_system = @sourceSystem AND window_start >= @from AND window_start < @to AND updated_at < now()
                RETURNING id),
            ledger AS (DELETE FROM {schema.Quoted}.call_ledger WHERE usage_id IN (SELECT id FROM gone))
            SELECT count(*)::int FROM gone
            """, new { sourceSystem, from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>
    /// <see cref="DeleteUntouchedUsageAsync(NpgsqlTransaction, string, DateTimeOffset, DateTimeOffset, CancellationToken)"/>
    /// over [from, to), except that a model the batch still produces keeps its rows outside its own span: a snapshot
    /// is the whole truth per model (a plan), over the days that model covers.
    /// </summary>
    public Task<int> DeleteUntouchedUsageAsync(NpgsqlTransaction tx, string sourceSystem, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyList<(string ModelId, DateTimeOffset From, DateTimeOffset To)> spans, CancellationToken ct) =>
        tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition($"""
            WITH spans AS (SELECT * FROM unnest(@models::text[], @froms::timestamptz[], @tos::timestamptz[]) AS s(model_id, span_from, span_to)),
            gone AS (
                DELETE FROM {schema.Quoted}.token_usage t
                WHERE t.source_system = @sourceSystem AND t.window_start >= @from AND t.window_start < @to AND t.updated_at < now()
                  AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.model_id = t.model_id AND (t.window_start < s.span_from OR t.window_start >= s.span_to))
                RETURNING t.id),
            ledger AS (DELETE FROM {schema.Quoted}.call_ledger WHERE usage_id IN (SELECT id FROM gone))
            SELECT count(*)::int FROM gone
            """, new
        {
            sourceSystem, from = from.UtcDateTime, to = to.UtcDateTime,
            models = spans.Select(x => x.ModelId).ToArray(), froms = spans.Select(x => x.From.UtcDateTime).ToArray(), tos = spans.Select(x => x.To.UtcDateTime).ToArray(),
        }, tx, cancellationToken: ct));

    /// <summary>MAX(updated_at) of a source's rows — freshness, never created_at (invariant 9).</summary>
    public async Task<DateTimeOffset?> LastIngestAsync(NpgsqlConnection connection, string sourceSystem, CancellationToken ct)
    {
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            $"SELECT max(updated_at) FROM {schema.Quoted}.token_usage WHERE source_system = @sourceSystem", new { sourceSystem }, cancellationToken: ct));
        return at is null ? null : new DateTimeOffset(DateTime.SpecifyKind(at.Value, DateTimeKind.Utc));
    }
}
