using Npgsql;
using NpgsqlTypes;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>
/// The batched replacement upsert of canonical rows (invariant 1: re-writing a window replaces, never adds).
/// Rows go by binary COPY into a session temp table, then one INSERT … SELECT … ON CONFLICT DO UPDATE per batch
/// (four on the partial-index path, one per NULL combination of user_id/project_id). Runs inside the caller's
/// transaction, so a window's rows and its watermark commit together (invariant 12), and so do the rollups that
/// token_usage's statement triggers keep (invariant 17). A month without a partition gets one first; rows before the
/// retention horizon are refused (<see cref="PartitionStore"/>).
/// </summary>
public sealed class UsageWriter(SchemaName schema, ConflictMode mode, int batchSize = UsageWriter.BatchSize)
{
    /// <summary>Default rows per COPY + INSERT round; bounds server memory and the time locks are held per statement.</summary>
    public const int BatchSize = 50_000;

    private const string StageTable = "tt_usage_stage";

    private const string CreateStage = $"""
        CREATE TEMP TABLE IF NOT EXISTS {StageTable} (
            source_system text, provider text, model text, model_id text, project_id text, user_id text,
            window_start timestamptz, window_end timestamptz, granularity text, measurement_basis text,
            input_tokens bigint, cached_read_tokens bigint, cached_write_tokens bigint, cached_write_1h_tokens bigint,
            output_tokens bigint, reasoning_tokens bigint, request_count bigint,
            cost_usd numeric, cost_basis text, cache_savings_usd numeric, raw_usage jsonb,
            price_snapshot text, price_key text, price_rules text, list_cost_usd numeric
        ) ON COMMIT DELETE ROWS
        """;

    private const string Columns =
        "source_system, provider, model, model_id, project_id, user_id, window_start, window_end, granularity, " +
        "measurement_basis, input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, " +
        "output_tokens, reasoning_tokens, request_count, cost_usd, cost_basis, cache_savings_usd, raw_usage, " +
        "price_snapshot, price_key, price_rules, list_cost_usd";

    private static readonly string[] UpdatedColumns =
    [
        "provider", "model", "granularity", "measurement_basis", "input_tokens", "cached_read_tokens",
        "cached_write_tokens", "cached_write_1h_tokens", "output_tokens", "reasoning_tokens", "request_count",
        "cost_usd", "cost_basis", "cache_savings_usd", "raw_usage",
        "price_snapshot", "price_key", "price_rules", "list_cost_usd",
    ];

    private readonly IReadOnlyList<string> _upserts = BuildUpserts(schema, mode);

    /// <summary>Upserts <paramref name="rows"/>; returns the number of rows inserted or updated.</summary>
    /// <exception cref="ArgumentException">two rows share a conflict key: the caller must aggregate first.</exception>
    public async Task<long> UpsertAsync(NpgsqlTransaction transaction, IReadOnlyList<TokenUsageRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        RejectDuplicateKeys(rows);
        await new PartitionStore(schema).EnsureForAsync(transaction, rows.Select(r => r.WindowStart), ct);
        var connection = transaction.Connection!;
        await Execute(connection, CreateStage, ct);
        long written = 0;
        for (var offset = 0; offset < rows.Count; offset += batchSize)
        {
            await Execute(connection, $"TRUNCATE {StageTable}", ct);
            await CopyAsync(connection, rows, offset, Math.Min(batchSize, rows.Count - offset), ct);
            try
            {
                foreach (var upsert in _upserts) written += await Execute(connection, upsert, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
            {
                throw new TelemetryException($"schema {schema.Name} has no {e.MessageText.Split('"').ElementAtOrDefault(1) ?? "provenance"} column: it is older than V0004 (cost provenance), which this version of token-telemetry writes",
                    "run `token-telemetry migrate` (it upgrades in place and keeps every row)", inner: e);
            }
        }
        return written;
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<TokenUsageRow> rows, int offset, int count, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {StageTable} ({Columns}) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = offset; i < offset + count; i++)
        {
            var r = rows[i];
            // Synchronous writes: the importer buffers and flushes on its own; per-value awaits would cost more than the I/O.
            importer.StartRow();
            importer.Write(r.SourceSystem, NpgsqlDbType.Text);
            importer.Write(r.Provider, NpgsqlDbType.Text);
            importer.Write(r.Model, NpgsqlDbType.Text);
            importer.Write(r.ModelId, NpgsqlDbType.Text);
            WriteNullable(importer, r.ProjectId, NpgsqlDbType.Text);
            WriteNullable(importer, r.UserId, NpgsqlDbType.Text);
            importer.Write(r.WindowStart.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(r.WindowEnd.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(r.Granularity.Label(), NpgsqlDbType.Text);
            importer.Write(r.MeasurementBasis.Label(), NpgsqlDbType.Text);
            WriteNullable(importer, r.InputTokens);
            WriteNullable(importer, r.CachedReadTokens);
            WriteNullable(importer, r.CachedWriteTokens);
            WriteNullable(importer, r.CachedWrite1hTokens);
            WriteNullable(importer, r.OutputTokens);
            WriteNullable(importer, r.ReasoningTokens);
            WriteNullable(importer, r.RequestCount);
            if (r.CostUsd is { } cost) importer.Write(cost, NpgsqlDbType.Numeric); else importer.WriteNull();
            WriteNullable(importer, r.CostBasis?.Label(), NpgsqlDbType.Text);
            if (r.CacheSavingsUsd is { } savings) importer.Write(savings, NpgsqlDbType.Numeric); else importer.WriteNull();
            WriteNullable(importer, r.RawUsage, NpgsqlDbType.Jsonb);
            // Provenance describes a computed cost only (a provider_reported cost set after pricing drops it).
            var pricing = r.CostBasis == CostBasis.Computed ? r.Pricing : null;
            WriteNullable(importer, pricing?.Snapshot, NpgsqlDbType.Text);
            WriteNullable(importer, pricing?.Key, NpgsqlDbType.Text);
            WriteNullable(importer, pricing?.Rules, NpgsqlDbType.Text);
            if (pricing is not null) importer.Write(pricing.ListCostUsd, NpgsqlDbType.Numeric); else importer.WriteNull();
        }
        await importer.CompleteAsync(ct);
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, long? value)
    {
        if (value is { } v) importer.Write(v, NpgsqlDbType.Bigint); else importer.WriteNull();
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type)
    {
        if (value is not null) importer.Write(value, type); else importer.WriteNull();
    }

    private static void RejectDuplicateKeys(IReadOnlyList<TokenUsageRow> rows)
    {
        var seen = new HashSet<(string, string, DateTimeOffset, DateTimeOffset, string?, string?)>(rows.Count);
        foreach (var row in rows)
            if (!seen.Add(row.Key))
                throw new ArgumentException(
                    $"two rows share the conflict key (source {row.SourceSystem}, model {row.ModelId}, window {row.WindowStart:O}, " +
                    $"user {row.UserId ?? "NULL"}, project {row.ProjectId ?? "NULL"}); aggregate them before writing", nameof(rows));
    }

    private static async Task<long> Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static IReadOnlyList<string> BuildUpserts(SchemaName schema, ConflictMode mode)
    {
        const string keyStart = "source_system, model_id, window_start, window_end";
        if (mode == ConflictMode.NullsNotDistinct) return [Upsert(schema, $"{keyStart}, user_id, project_id", null)];
        return
        [
            Upsert(schema, $"{keyStart}, user_id, project_id", "user_id IS NOT NULL AND project_id IS NOT NULL"),
            Upsert(schema, $"{keyStart}, user_id", "user_id IS NOT NULL AND project_id IS NULL"),
            Upsert(schema, $"{keyStart}, project_id", "user_id IS NULL AND project_id IS NOT NULL"),
            Upsert(schema, keyStart, "user_id IS NULL AND project_id IS NULL"),
        ];
    }

    private static string Upsert(SchemaName schema, string conflictColumns, string? predicate)
    {
        var s = schema.Quoted;
        var where = predicate is null ? "" : $" WHERE {predicate}";
        // updated_at is set here rather than by the trigger (see V0001): same value, no per-row function call.
        var set = string.Join(", ", UpdatedColumns.Select(c => $"{c} = EXCLUDED.{c}")) + ", updated_at = now()";
        return $"""
            INSERT INTO {s}.token_usage ({Columns})
            SELECT source_system, provider, model, model_id, project_id, user_id, window_start, window_end,
                   granularity::{s}.granularity, measurement_basis::{s}.measurement_basis,
                   input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens,
                   output_tokens, reasoning_tokens, request_count, cost_usd, cost_basis::{s}.cost_basis, cache_savings_usd, raw_usage,
                   price_snapshot, price_key, price_rules, list_cost_usd
            FROM {StageTable}{where}
            ON CONFLICT ({conflictColumns}){where} DO UPDATE SET {set}
            """;
    }
}
