using Dapper;
using Npgsql;
using NpgsqlTypes;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>
/// The rows `reprice` reads and rewrites, a page of one span of window starts at a time (a cursor over the span) inside
/// the caller's transaction. Rows are read without locking them (a lock would write every row read); the rewrite is one
/// UPDATE … FROM unnest(…) statement on token_usage that lands only on rows whose updated_at is still the one read — a
/// collector that rewrote a row meanwhile priced it itself — and statement-level triggers (rollups) see it as they see
/// any write. It leaves updated_at one microsecond later rather than at now(): freshness reads MAX(updated_at) as "last
/// ingest", and a re-price is not new data (a stale source must stay stale).
/// </summary>
public sealed class RepriceStore(SchemaName schema)
{
    private string S => schema.Quoted;

    /// <summary>The first and last window_start of the rows in [from, to) of these sources (all when empty).</summary>
    public async Task<(DateTimeOffset? First, DateTimeOffset? Last)> SpanAsync(NpgsqlConnection c, DateTimeOffset from, DateTimeOffset to, string[] sources, CancellationToken ct)
    {
        var span = await c.QuerySingleAsync<(DateTime? First, DateTime? Last)>(new CommandDefinition(
            $"""
            SELECT min(window_start), max(window_start) FROM {S}.token_usage
            WHERE window_start >= @from AND window_start < @to AND (cardinality(@sources) = 0 OR source_system = ANY(@sources))
            """, new { from = from.UtcDateTime, to = to.UtcDateTime, sources }, cancellationToken: ct));
        return (Utc(span.First), Utc(span.Last));
    }

    private const string Cursor = "tt_reprice_rows";

    /// <summary>Opens a cursor over the rows of [from, to) with a computed cost, or none but both token totals
    /// (unpriced), and with <paramref name="includeReported"/> provider-reported ones: one scan of the span, read a page
    /// at a time by <see cref="FetchAsync"/> (an UPDATE may run between fetches; the cursor keeps its own snapshot).</summary>
    public async Task OpenAsync(NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to, string[] sources, bool includeReported, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            DECLARE {Cursor} NO SCROLL CURSOR FOR
            SELECT t.id, t.price_snapshot, t.updated_at,
                   l.kind = 'calls' OR t.raw_usage ? 'calls' OR t.raw_usage ? 'files' AS counted,
                   coalesce(jsonb_typeof(t.raw_usage -> 'partially_unknown') = 'array' AND jsonb_array_length(t.raw_usage -> 'partially_unknown') > 0, false),
                   {UsageReader.Columns("t")}
            FROM {S}.token_usage t LEFT JOIN {S}.call_ledger l ON l.usage_id = t.id
            WHERE t.window_start >= @from AND t.window_start < @to AND (cardinality(@sources) = 0 OR t.source_system = ANY(@sources))
              AND (t.cost_basis = 'computed' OR (t.cost_basis IS NULL AND t.input_tokens IS NOT NULL AND t.output_tokens IS NOT NULL)
                   OR (@reported AND t.cost_basis = 'provider_reported'))
            """, tx.Connection, tx);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        command.Parameters.AddWithValue("sources", sources);
        command.Parameters.AddWithValue("reported", includeReported);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The next <paramref name="count"/> rows of the cursor (fewer at its end, none after it); the cursor closes
    /// with the transaction.</summary>
    public static async Task<List<StoredCost>> FetchAsync(NpgsqlTransaction tx, int count, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"FETCH {count} FROM {Cursor}", tx.Connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<StoredCost>();
        while (await reader.ReadAsync(ct))
            rows.Add(new StoredCost(reader.GetInt64(0), UsageReader.Map(reader, 5), reader.IsDBNull(1) ? null : reader.GetString(1),
                !reader.IsDBNull(3) && reader.GetBoolean(3), reader.GetBoolean(4), reader.GetDateTime(2)));
        return rows;
    }

    public static async Task CloseAsync(NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"CLOSE {Cursor}", tx.Connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many provider-reported rows [from, to) holds: what `reprice` leaves alone without --include-reported.</summary>
    public Task<long> CountReportedAsync(NpgsqlConnection c, DateTimeOffset from, DateTimeOffset to, string[] sources, CancellationToken ct) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition($"""
            SELECT count(*) FROM {S}.token_usage
            WHERE window_start >= @from AND window_start < @to AND (cardinality(@sources) = 0 OR source_system = ANY(@sources)) AND cost_basis = 'provider_reported'
            """, new { from = from.UtcDateTime, to = to.UtcDateTime, sources }, cancellationToken: ct));

    /// <summary>Writes new costs of rows in [from, to) (the span they were read from, so a partitioned table is pruned);
    /// returns how many landed (a row some writer changed since it was read is left to that writer).</summary>
    public async Task<int> UpdateAsync(NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<CostUpdate> updates, CancellationToken ct)
    {
        if (updates.Count == 0) return 0;
        await using var command = new NpgsqlCommand($"""
            UPDATE {S}.token_usage t
            SET cost_usd = v.cost, cost_basis = v.basis::{S}.cost_basis, cache_savings_usd = v.savings,
                price_snapshot = v.snapshot, price_key = v.key, price_rules = v.rules, list_cost_usd = v.list,
                raw_usage = CASE WHEN v.reported IS NULL THEN t.raw_usage
                                 ELSE coalesce(t.raw_usage, jsonb_build_object()) || jsonb_build_object('reported_cost_usd', v.reported) END,
                updated_at = t.updated_at + interval '1 microsecond'
            FROM unnest(@ids, @costs, @bases, @savings, @snapshots, @keys, @rules, @lists, @reported, @seen)
                 AS v(id, cost, basis, savings, snapshot, key, rules, list, reported, seen)
            WHERE t.id = v.id AND t.updated_at = v.seen AND t.window_start >= @from AND t.window_start < @to
            """, tx.Connection, tx);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        command.Parameters.AddWithValue("ids", updates.Select(u => u.Id).ToArray());
        command.Parameters.Add(new NpgsqlParameter("costs", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = updates.Select(u => u.CostUsd).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("bases", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.Select(u => u.Basis?.Label()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("savings", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = updates.Select(u => u.CacheSavingsUsd).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("snapshots", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.Select(u => u.Pricing?.Snapshot).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.Select(u => u.Pricing?.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("rules", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.Select(u => u.Pricing?.Rules).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("lists", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = updates.Select(u => u.Pricing?.ListCostUsd).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("reported", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = updates.Select(u => u.ReplacedReportedUsd).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("seen", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = updates.Select(u => u.SeenUpdatedAt).ToArray() });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Models whose stored cost is computed or unknown — what a new price table can change — with the earliest
    /// window each has (a `reprice --from` that covers them).</summary>
    public async Task<IReadOnlyList<(string ModelId, string Provider, DateTimeOffset First)>> ModelsInUseAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var rows = await c.QueryAsync<(string, string, DateTime)>(new CommandDefinition($"""
            SELECT model_id, provider, min(window_start) FROM {S}.token_usage
            WHERE cost_basis IS NULL OR cost_basis = 'computed' GROUP BY 1, 2 ORDER BY 1, 2
            """, cancellationToken: ct));
        return rows.Select(r => (r.Item1, r.Item2, Utc(r.Item3)!.Value)).ToList();
    }

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
