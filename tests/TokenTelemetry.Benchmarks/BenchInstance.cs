using Dapper;
using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Benchmarks;

/// <summary>A throwaway PostgreSQL cluster (the machine's binaries, default settings) with one migrated database and
/// instance folder per run, for benchmarks that run `token-telemetry import` as a user would: every run is a first
/// import (a call is counted once across source systems, so a second import into the same database writes nothing).</summary>
public sealed class BenchInstance : IAsyncDisposable
{
    private readonly EmbeddedPostgres _cluster;
    private readonly EmbeddedState _state;
    private readonly string _root;
    private readonly string _tool;

    private BenchInstance(EmbeddedPostgres cluster, EmbeddedState state, string root, string tool) =>
        (_cluster, _state, _root, _tool) = (cluster, state, root, tool);

    /// <param name="toolDirectory">The build of token-telemetry to run (default: the one beside this benchmark).</param>
    public static async Task<BenchInstance> StartAsync(string root, string? toolDirectory = null)
    {
        var cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"));
        var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
        return new BenchInstance(cluster, state, root, Path.Combine(toolDirectory ?? AppContext.BaseDirectory, "token-telemetry.dll"));
    }

    /// <summary>A new database and instance folder of that name, migrated (outside any timing).</summary>
    public async Task<string> FreshAsync(string name)
    {
        await EmbeddedPostgres.EnsureDatabaseAsync(_state, name, CancellationToken.None);
        var instance = Path.Combine(_root, "instances", name);
        Directory.CreateDirectory(instance);
        File.WriteAllText(Path.Combine(instance, "config.yaml"),
            $"postgres:\n  host: 127.0.0.1\n  port: {_state.Port}\n  database: {name}\n  user: postgres\n  password: {_state.Password}\n  ssl_mode: disable\n");
        var migrate = Tool("migrate", "--instance", name);
        if (migrate.ExitCode != 0) throw new InvalidOperationException($"migrate failed: {migrate.Stderr}");
        return name;
    }

    /// <summary>`token-telemetry import PATH` into <paramref name="instance"/> (made by <see cref="FreshAsync"/>).</summary>
    public TimedRun.Result Import(string path, string instance, string sourceSystem)
    {
        var run = Tool("import", path, "--instance", instance, "--source-system", sourceSystem);
        if (run.ExitCode is not (0 or 2)) throw new InvalidOperationException($"import {path} failed: {run.Stderr}");
        return run;
    }

    /// <summary>What <paramref name="instance"/>'s database holds per UTC day and model.</summary>
    public async Task<DailyTotals> TotalsAsync(string instance)
    {
        await using var connection = new NpgsqlConnection(
            $"Host=127.0.0.1;Port={_state.Port};Database={instance};Username=postgres;Password={_state.Password};SSL Mode=Disable");
        const string sql = """
            SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, model_id AS model,
                   SUM(request_count)::bigint AS calls, SUM(input_tokens)::bigint AS input, COALESCE(SUM(cached_read_tokens), 0)::bigint AS cache_read,
                   COALESCE(SUM(cached_write_tokens), 0)::bigint AS cache_write, SUM(output_tokens)::bigint AS output, SUM(cost_usd) AS cost
            FROM "telemetry".token_usage GROUP BY 1, 2
            """;
        var rows = await connection.QueryAsync<(string Day, string Model, long Calls, long Input, long CacheRead, long CacheWrite, long Output, decimal? Cost)>(sql);
        return DailyTotals.FromDatabase(rows);
    }

    private TimedRun.Result Tool(params string[] args) =>
        TimedRun.Run(_root, null, "dotnet", [_tool, .. args]);

    public async ValueTask DisposeAsync() => await _cluster.StopAsync(CancellationToken.None);
}
