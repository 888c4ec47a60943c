using Dapper;
using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Benchmarks;

/// <summary>A throwaway PostgreSQL cluster (the machine's binaries, default settings) with a migrated instance
/// folder, for benchmarks that run `token-telemetry import` as a user would.</summary>
public sealed class BenchInstance : IAsyncDisposable
{
    private readonly EmbeddedPostgres _cluster;
    private readonly string _root;
    private readonly string _connectionString;
    private readonly string _tool;

    private BenchInstance(EmbeddedPostgres cluster, string root, string connectionString, string tool) =>
        (_cluster, _root, _connectionString, _tool) = (cluster, root, connectionString, tool);

    /// <param name="toolDirectory">The build of token-telemetry to run (default: the one beside this benchmark).</param>
    public static async Task<BenchInstance> StartAsync(string root, string? toolDirectory = null)
    {
        var cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"));
        var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
        await EmbeddedPostgres.EnsureDatabaseAsync(state, "bench", CancellationToken.None);
        var instance = Path.Combine(root, "instances", "bench");
        Directory.CreateDirectory(instance);
        File.WriteAllText(Path.Combine(instance, "config.yaml"),
            $"postgres:\n  host: 127.0.0.1\n  port: {state.Port}\n  database: bench\n  user: postgres\n  password: {state.Password}\n  ssl_mode: disable\n");
        var bench = new BenchInstance(cluster, root, $"Host=127.0.0.1;Port={state.Port};Database=bench;Username=postgres;Password={state.Password};SSL Mode=Disable",
            Path.Combine(toolDirectory ?? AppContext.BaseDirectory, "token-telemetry.dll"));
        var migrate = bench.Tool("migrate", "--instance", "bench");
        if (migrate.ExitCode != 0) throw new InvalidOperationException($"migrate failed: {migrate.Stderr}");
        return bench;
    }

    public TimedRun.Result Import(string path, string sourceSystem)
    {
        var run = Tool("import", path, "--instance", "bench", "--source-system", sourceSystem);
        if (run.ExitCode is not (0 or 2)) throw new InvalidOperationException($"import {path} failed: {run.Stderr}");
        return run;
    }

    /// <summary>Token totals per source_system as stored.</summary>
    public async Task<Dictionary<string, string>> TotalsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        var rows = await connection.QueryAsync<(string Source, long? Calls, long? Input, long? Read, long? Write, long? Output, decimal? Cost)>("""
            SELECT source_system, SUM(request_count)::bigint, SUM(input_tokens)::bigint, SUM(cached_read_tokens)::bigint,
                   SUM(cached_write_tokens)::bigint, SUM(output_tokens)::bigint, SUM(cost_usd)
            FROM telemetry.token_usage GROUP BY source_system
            """);
        return rows.ToDictionary(r => r.Source,
            r => $"calls {r.Calls:N0}, input {r.Input:N0} (cache read {r.Read:N0}, write {r.Write:N0}), output {r.Output:N0}, cost {r.Cost:N2} USD");
    }

    private TimedRun.Result Tool(params string[] args) =>
        TimedRun.Run(_root, null, "dotnet", [_tool, .. args]);

    public async ValueTask DisposeAsync() => await _cluster.StopAsync(CancellationToken.None);
}
