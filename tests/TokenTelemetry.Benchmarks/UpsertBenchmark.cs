using System.Diagnostics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using TokenTelemetry.Database;
using TokenTelemetry.Model;

namespace TokenTelemetry.Benchmarks;

/// <summary>Times (a) our batched writer, (b) a naive INSERT-per-row loop and (c) Postgres's own
/// INSERT … SELECT … ON CONFLICT, each for new rows and then again as updates, on one schema.</summary>
public sealed class UpsertBenchmark(string connectionString, SchemaName schema, ConflictMode mode)
{
    private const string Columns =
        "source_system, provider, model, model_id, project_id, user_id, window_start, window_end, granularity, measurement_basis, " +
        "input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, output_tokens, reasoning_tokens, request_count, " +
        "cost_usd, cost_basis, raw_usage";

    private const string UpdateSet =
        "provider = EXCLUDED.provider, model = EXCLUDED.model, granularity = EXCLUDED.granularity, measurement_basis = EXCLUDED.measurement_basis, " +
        "input_tokens = EXCLUDED.input_tokens, cached_read_tokens = EXCLUDED.cached_read_tokens, cached_write_tokens = EXCLUDED.cached_write_tokens, " +
        "cached_write_1h_tokens = EXCLUDED.cached_write_1h_tokens, output_tokens = EXCLUDED.output_tokens, reasoning_tokens = EXCLUDED.reasoning_tokens, " +
        "request_count = EXCLUDED.request_count, cost_usd = EXCLUDED.cost_usd, cost_basis = EXCLUDED.cost_basis, raw_usage = EXCLUDED.raw_usage, " +
        "updated_at = now()";

    public async Task<double> BatchedAsync(IReadOnlyList<TokenUsageRow> rows)
    {
        await using var connection = await OpenAsync();
        var writer = new UsageWriter(schema, mode);
        var watch = Stopwatch.StartNew();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await writer.UpsertAsync(tx, rows, CancellationToken.None);
            await tx.CommitAsync();
        }
        return rows.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>One parameterised INSERT … ON CONFLICT round trip per row, in one transaction (kinder to it than the
    /// original kit's autocommit loop). Only on the NULLS NOT DISTINCT path, where one statement fits every row.</summary>
    public async Task<double> NaiveAsync(IReadOnlyList<TokenUsageRow> rows)
    {
        await using var connection = await OpenAsync();
        var s = schema.Quoted;
        var sql = $"""
            INSERT INTO {s}.token_usage ({Columns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8::{s}.granularity, @p9::{s}.measurement_basis,
              @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18::{s}.cost_basis, @p19::jsonb)
            ON CONFLICT (source_system, model_id, window_start, window_end, user_id, project_id) DO UPDATE SET {UpdateSet}
            """;
        var watch = Stopwatch.StartNew();
        await using var tx = await connection.BeginTransactionAsync();
        foreach (var r in rows)
        {
            await using var command = new NpgsqlCommand(sql, connection, tx);
            object?[] values =
            [
                r.SourceSystem, r.Provider, r.Model, r.ModelId, r.ProjectId, r.UserId, r.WindowStart.UtcDateTime, r.WindowEnd.UtcDateTime,
                "hour", "provider_aggregate", r.InputTokens, r.CachedReadTokens, r.CachedWriteTokens, r.CachedWrite1hTokens,
                r.OutputTokens, r.ReasoningTokens, r.RequestCount, r.CostUsd, "computed", r.RawUsage,
            ];
            for (var p = 0; p < values.Length; p++)
            {
                var parameter = new NpgsqlParameter($"p{p}", values[p] ?? DBNull.Value);
                if (values[p] is null) parameter.NpgsqlDbType = p is 4 or 5 ? NpgsqlDbType.Text : p == 17 ? NpgsqlDbType.Numeric : NpgsqlDbType.Bigint;
                command.Parameters.Add(parameter);
            }
            await command.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return rows.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The ceiling: Postgres generates the same rows itself, so no client or wire cost at all.</summary>
    public async Task<double> CeilingAsync(int count, int bump)
    {
        await using var connection = await OpenAsync();
        var conflict = mode == ConflictMode.NullsNotDistinct ? "(source_system, model_id, window_start, window_end, user_id, project_id)"
            : throw new NotSupportedException("the ceiling is measured on PostgreSQL 15+");
        var sql = $"INSERT INTO {schema.Quoted}.token_usage ({Columns}) {BenchmarkRows.SqlSelect(schema.Quoted, count, bump)} ON CONFLICT {conflict} DO UPDATE SET {UpdateSet}";
        var watch = Stopwatch.StartNew();
        await connection.ExecuteAsync(sql, commandTimeout: 3600);
        return count / watch.Elapsed.TotalSeconds;
    }

    public async Task ResetAsync()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync($"TRUNCATE {schema.Quoted}.token_usage");
        await connection.ExecuteAsync($"VACUUM ANALYZE {schema.Quoted}.token_usage");
        await connection.ExecuteAsync("CHECKPOINT", commandType: System.Data.CommandType.Text);
    }

    /// <summary>The month partitions (V0003) for rows 0 … <paramref name="count"/>: the ceiling writes them in plain SQL,
    /// which does not make partitions the way the writer does.</summary>
    public async Task EnsurePartitionsAsync(int count)
    {
        await using var connection = await OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var last = BenchmarkRows.Start.AddHours(count / 1000 + 1);
        var months = new List<DateTimeOffset>();
        for (var m = BenchmarkRows.Start; m <= last; m = m.AddMonths(1)) months.Add(m);
        await new PartitionStore(schema).EnsureForAsync(tx, [.. months, last], CancellationToken.None);
        await tx.CommitAsync();
    }

    public async Task<(long Rows, long Input, decimal Cost)> TotalsAsync()
    {
        await using var connection = await OpenAsync();
        return await connection.QuerySingleAsync<(long, long, decimal)>(
            $"SELECT count(*), sum(input_tokens)::bigint, sum(cost_usd) FROM {schema.Quoted}.token_usage");
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}
