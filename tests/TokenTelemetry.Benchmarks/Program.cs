using System.Diagnostics;
using Dapper;
using System.Globalization;
using Npgsql;
using TokenTelemetry.Benchmarks;
using TokenTelemetry.Database;

// On-demand benchmarks. The first argument picks one:
//   upsert    [--rows 1000000] [--naive-rows 20000] [--skip-schema-costs]   the writer vs a naive loop vs Postgres's own INSERT … SELECT
//   normalize [--lines 1000000]                                             normalizing mixed-provider JSONL: lines/s and peak memory
//   pricing   [--usages 1000000] [--rules]                                  price-table load time and prices/s (--rules: dated overrides and discounts)
//   import    [--lines 1000000] [--distinct-models]                         `import` end to end into PostgreSQL 15: lines/s, peak memory
//   subscriptions [--plans 20] [--years 3]                                  subscription day rows: seconds per collect cycle and for verify
//   reprice   [--rows 1000000]                                             `reprice` and `reconcile` over stored rows: seconds, rows/s, memory
//   agentlogs [--claude-mb 160] [--codex-mb 100] [--ccusage PATH] [--tool DIR]  Claude Code and Codex logs: this tool beside ccusage 20
//   dashboards [--rows 10000000] [--schema bench] [--no-load]               a year of rows through the writer, then every dashboard query
//                                                                           over 24 h / 7 d / 30 d / 365 d: p50/p95/max, size per row, writer rows/s
//                                                                           (--no-load reuses a schema loaded before, with TT_BENCH_PG)
// dotnet run -c Release --project tests/TokenTelemetry.Benchmarks -- <name> [options]
// TT_BENCH_PG=<connection string> uses an existing PostgreSQL 15+ server (a database it may migrate); otherwise a
// throwaway cluster with default settings (fsync on) is started with the machine's binaries.
if (args.FirstOrDefault() == "import")
{
    await ImportBenchmark.RunAsync(Option("--lines", 1_000_000), args.Contains("--distinct-models"));
    return;
}
if (args.FirstOrDefault() == "agentlogs")
{
    await AgentLogBenchmark.RunAsync(Option("--claude-mb", 160), Option("--codex-mb", 100), Text("--ccusage"), Text("--tool"));
    return;
}
if (args.FirstOrDefault() == "subscriptions")
{
    await SubscriptionsBenchmark.RunAsync(Option("--plans", 20), Option("--years", 3));
    return;
}
if (args.FirstOrDefault() == "pricing")
{
    PricingBenchmark.Run(Option("--usages", 1_000_000), args.Contains("--rules"));
    return;
}
if (args.FirstOrDefault() == "reprice")
{
    await RepriceBenchmark.RunAsync(Option("--rows", 1_000_000));
    return;
}
if (args.FirstOrDefault() == "normalize")
{
    NormalizeBenchmark.Run(Option("--lines", 1_000_000));
    return;
}
if (args.FirstOrDefault() is { } name && name is not ("upsert" or "dashboards") && !name.StartsWith("--", StringComparison.Ordinal))
    throw new ArgumentException($"unknown benchmark '{name}' (upsert, normalize, pricing, import, subscriptions, reprice, agentlogs, dashboards)");
var dashboards = args.FirstOrDefault() == "dashboards";

var rowCount = Option("--rows", 1_000_000);
var naiveCount = Option("--naive-rows", 20_000);
var schemaCosts = !args.Contains("--skip-schema-costs");
var schema = new SchemaName(Text("--schema") ?? "bench");

string connectionString;
EmbeddedPostgres? cluster = null;
var root = Path.Combine(Path.GetTempPath(), $"tt-bench-{Environment.ProcessId}");
if (Environment.GetEnvironmentVariable("TT_BENCH_PG") is { Length: > 0 } external) connectionString = external;
else
{
    Directory.CreateDirectory(root);
    cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"),
        extraSettings: new Dictionary<string, string> { ["shared_buffers"] = "'512MB'", ["max_wal_size"] = "'4GB'" });
    var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
    connectionString = ConnectionStrings.ForEmbedded(state, "postgres");
}

try
{
    if (dashboards)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Console.WriteLine($"server: PostgreSQL {connection.PostgreSqlVersion}, {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        await DashboardsBenchmark.RunAsync(connectionString, schema, Option("--rows", 10_000_000), !args.Contains("--no-load"));
        return;
    }
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema.Quoted} CASCADE");
        await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);
        Console.WriteLine($"server: PostgreSQL {connection.PostgreSqlVersion}, {Environment.ProcessorCount} cores; rows: {rowCount:N0}, naive sample: {naiveCount:N0}");
        if (await SchemaInspector.ConflictModeAsync(connection, schema, CancellationToken.None) != ConflictMode.NullsNotDistinct)
            throw new InvalidOperationException("run the benchmark on PostgreSQL 15+");
    }
    var bench = new UpsertBenchmark(connectionString, schema, ConflictMode.NullsNotDistinct);
    await bench.EnsurePartitionsAsync(rowCount + naiveCount);

    var build = Stopwatch.StartNew();
    var inserts = Enumerable.Range(0, rowCount).Select(i => BenchmarkRows.Row(i, 0)).ToList();
    var updates = Enumerable.Range(0, rowCount).Select(i => BenchmarkRows.Row(i, 1)).ToList();
    Console.WriteLine($"built 2 x {rowCount:N0} rows in memory in {build.Elapsed.TotalSeconds:F1} s; managed heap {GC.GetTotalMemory(true) / 1048576.0:F0} MB");

    await bench.ResetAsync();
    var ceilingInsert = await bench.CeilingAsync(rowCount, 0);
    var ceilingTotals = await bench.TotalsAsync();
    var ceilingUpdate = await bench.CeilingAsync(rowCount, 1);

    await bench.ResetAsync();
    var batchedInsert = await bench.BatchedAsync(inserts);
    var batchedTotals = await bench.TotalsAsync();
    var batchedUpdate = await bench.BatchedAsync(updates);
    if (batchedTotals != ceilingTotals)
        throw new InvalidOperationException($"the writer and the ceiling wrote different data: {batchedTotals} vs {ceilingTotals}");

    // The naive loop works on the same 1M-row table as (a) and (c): new keys for its inserts, existing rows for its
    // updates. (On an empty table it would look faster than it is: every index is tiny.)
    var naiveInsert = await bench.NaiveAsync(Enumerable.Range(rowCount, naiveCount).Select(i => BenchmarkRows.Row(i, 0)).ToList());
    var naiveUpdate = await bench.NaiveAsync(Enumerable.Range(0, naiveCount).Select(i => BenchmarkRows.Row(i, 2)).ToList());

    Console.WriteLine();
    Console.WriteLine($"{"rows/s",-38}{"insert",12}{"update",12}");
    Print("(a) batched writer (COPY + upsert)", batchedInsert, batchedUpdate);
    Print($"(b) naive INSERT per row ({naiveCount:N0})", naiveInsert, naiveUpdate);
    Print("(c) ceiling: INSERT ... SELECT in SQL", ceilingInsert, ceilingUpdate);
    Console.WriteLine($"{"(a) / (c)",-38}{batchedInsert / ceilingInsert,11:P0} {batchedUpdate / ceilingUpdate,11:P0}");
    Console.WriteLine($"{"(a) / (b)",-38}{batchedInsert / naiveInsert,11:F1}x{batchedUpdate / naiveUpdate,11:F1}x");
    Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB; rows written: {batchedTotals.Rows:N0}, input tokens: {batchedTotals.Input:N0}, cost: {batchedTotals.Cost:N2} USD");

    if (schemaCosts)
    {
        // What the schema itself costs the ceiling: the updated_at trigger (skipped by its WHEN clause when the upsert
        // sets updated_at, as all three here do), the rollup triggers and the four dashboard indexes.
        Console.WriteLine();
        Console.WriteLine("ceiling without parts of the schema (rows/s):");
        await bench.ExecuteAsync($"ALTER TABLE {schema.Quoted}.token_usage DISABLE TRIGGER token_usage_set_updated_at");
        await bench.ResetAsync();
        await bench.CeilingAsync(rowCount, 0);
        Print("  without the updated_at trigger", double.NaN, await bench.CeilingAsync(rowCount, 1));
        await bench.ExecuteAsync($"ALTER TABLE {schema.Quoted}.token_usage ENABLE TRIGGER token_usage_set_updated_at");
        // What keeping the rollups costs (V0003's statement triggers): the ceiling without them.
        await bench.ExecuteAsync($"ALTER TABLE {schema.Quoted}.token_usage DISABLE TRIGGER token_usage_rollups_insert, DISABLE TRIGGER token_usage_rollups_update");
        await bench.ResetAsync();
        Print("  without the rollup triggers", await bench.CeilingAsync(rowCount, 0), await bench.CeilingAsync(rowCount, 1));
        await bench.ExecuteAsync($"ALTER TABLE {schema.Quoted}.token_usage ENABLE TRIGGER token_usage_rollups_insert, ENABLE TRIGGER token_usage_rollups_update");
        await bench.ExecuteAsync(string.Join(";", DashboardIndexes.Select(i => $"DROP INDEX {schema.Quoted}.{i}")));
        await bench.ResetAsync();
        Print("  without the 4 dashboard indexes", await bench.CeilingAsync(rowCount, 0), await bench.CeilingAsync(rowCount, 1));
    }
}
finally
{
    if (cluster is not null)
    {
        await cluster.StopAsync(CancellationToken.None);
        Directory.Delete(root, recursive: true);
    }
}

static void Print(string label, double insert, double update) =>
    Console.WriteLine($"{label,-38}{(double.IsNaN(insert) ? "-" : insert.ToString("N0", CultureInfo.InvariantCulture)),12}{update.ToString("N0", CultureInfo.InvariantCulture),12}");

string? Text(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The four dashboard indexes of token_usage (V0001), dropped to measure what they cost.</summary>
internal static partial class Program
{
    private static readonly string[] DashboardIndexes =
        ["token_usage_window_start_idx", "token_usage_source_window_idx", "token_usage_provider_model_window_idx", "token_usage_user_window_idx"];
}
