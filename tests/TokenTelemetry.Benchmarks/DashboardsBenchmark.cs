using System.Diagnostics;
using Dapper;
using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Whether the dashboards stay instant at a year of data. Writes <c>rows</c> rows of <see cref="DashboardRows"/> (one
/// year, hourly) through the real writer, a day per transaction, with the rollup triggers on; prints the writer's rows/s
/// and the database size per row; then runs every panel and variable query of the rendered dashboards, Grafana's macros
/// expanded and every variable at All, over the last 24 h, 7 d, 30 d and 365 d: one pass to warm the cache, then five
/// timed passes, printing p50 / p95 / max per range and per query (<see cref="DashboardQueries"/>).
/// </summary>
public static class DashboardsBenchmark
{
    private const string ReaderName = "tt_bench_reader";

    public static async Task RunAsync(string connectionString, SchemaName schema, long rows, bool load)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var end = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, DateTime.UtcNow.Day, DateTime.UtcNow.Hour, 0, 0, TimeSpan.Zero);
        if (load)
        {
            await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema.Quoted} CASCADE");
            await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);
            var data = new DashboardRows(rows, end);
            await WriteAsync(connection, schema, data);
            await connection.ExecuteAsync(data.BilledSql(schema.Quoted));
        }
        else
            end = new DateTimeOffset(DateTime.SpecifyKind(await connection.ExecuteScalarAsync<DateTime>(
                $"SELECT max(hour) FROM {schema.Quoted}.usage_hourly_by_model"), DateTimeKind.Utc)).AddHours(1);
        await connection.ExecuteAsync($"VACUUM ANALYZE {schema.Quoted}.token_usage, {schema.Quoted}.usage_daily, {schema.Quoted}.usage_monthly, " +
                                      $"{schema.Quoted}.usage_daily_by_model, {schema.Quoted}.usage_hourly_by_model, {schema.Quoted}.usage_dims, " +
                                      $"{schema.Quoted}.usage_daily_pricing, {schema.Quoted}.billed_cost", commandTimeout: 3600);
        await PrintSizesAsync(connection, schema);
        // Grafana connects as the read-only role `migrate` makes (grafana.reader_role); so do the queries here.
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await ReaderRole.EnsureAsync(connection, schema, ReaderName, password, CancellationToken.None);
        await using var reader = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Username = ReaderName, Password = password }.ConnectionString);
        await reader.OpenAsync();
        Console.WriteLine($"querying as the read-only role {ReaderName} (SELECT only, jit {await reader.ExecuteScalarAsync<string>("SHOW jit")}, as migrate sets it up)");
        // "now" inside the last hour of data, off every grid: each range starts and ends in a partial hour and day.
        await new DashboardQueries(reader, schema).RunAsync(end.AddMinutes(-12).AddSeconds(-48));
    }

    private static async Task WriteAsync(NpgsqlConnection connection, SchemaName schema, DashboardRows data)
    {
        var mode = await SchemaInspector.ConflictModeAsync(connection, schema, CancellationToken.None);
        var writer = new UsageWriter(schema, mode);
        long written = 0;
        var writing = new Stopwatch();
        var total = Stopwatch.StartNew();
        for (var day = 0; day < 365; day++)
        {
            var rows = data.Day(day);
            writing.Start();
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await writer.UpsertAsync(tx, rows, CancellationToken.None);
                await tx.CommitAsync();
            }
            writing.Stop();
            written += rows.Count;
            if (day % 73 == 72) Console.Error.WriteLine($"  … {day + 1} days, {written:N0} rows, {written / writing.Elapsed.TotalSeconds:N0} rows/s");
        }
        Console.WriteLine($"wrote {written:N0} rows ({data.Start:yyyy-MM-dd} → {data.End:yyyy-MM-dd HH:mm}Z) through the writer, a day per transaction, " +
                          $"rollups on: {written / writing.Elapsed.TotalSeconds:N0} rows/s ({writing.Elapsed.TotalSeconds:F0} s writing, {total.Elapsed.TotalSeconds:F0} s with generation)");
    }

    private static async Task PrintSizesAsync(NpgsqlConnection connection, SchemaName schema)
    {
        var s = schema.Quoted;
        var facts = await connection.QuerySingleAsync<(long Rows, long Bytes)>($"""
            SELECT (SELECT count(*) FROM {s}.token_usage), (SELECT sum(pg_total_relation_size(relid))::bigint FROM pg_partition_tree('{s}.token_usage'))
            """);
        Console.WriteLine($"token_usage: {facts.Rows:N0} rows, {facts.Bytes / 1048576.0:N0} MB with indexes = {facts.Bytes / (double)facts.Rows:N0} bytes per row");
        long derived = 0;
        foreach (var table in new[] { "usage_hourly_by_model", "usage_daily", "usage_daily_by_model", "usage_monthly", "usage_dims", "usage_daily_pricing" })
        {
            var (count, bytes) = await connection.QuerySingleAsync<(long, long)>($"SELECT count(*), pg_total_relation_size('{s}.{table}') FROM {s}.{table}");
            derived += bytes;
            Console.WriteLine($"  {table,-22} {count,10:N0} rows {bytes / 1048576.0,8:N1} MB");
        }
        Console.WriteLine($"rollups and dimensions: {derived / 1048576.0:N0} MB = {derived / (double)facts.Rows:N0} bytes per fact row; " +
                          $"database size per fact row: {(facts.Bytes + derived) / (double)facts.Rows:N0} bytes");
    }
}
