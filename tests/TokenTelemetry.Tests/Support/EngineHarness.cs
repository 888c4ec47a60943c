using Dapper;
using Npgsql;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Http;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Tests.Support;

/// <summary>The collection engine against a fresh migrated database of the test cluster, with fast HTTP retries.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public static readonly PriceTable Table = PriceTableLoader.Bundled();

    private EngineHarness(string connectionString, SchemaName schema) { ConnectionString = connectionString; Schema = schema; }

    public string ConnectionString { get; }
    public SchemaName Schema { get; }
    public List<string> Warnings { get; } = [];
    public List<string> Progress { get; } = [];
    public FixedClock Clock { get; } = new(new DateTimeOffset(2025, 11, 20, 6, 0, 0, TimeSpan.Zero));

    public static async Task<EngineHarness> CreateAsync()
    {
        var cluster = await TestCluster.Current;
        var connectionString = await cluster.CreateDatabaseAsync();
        var schema = new SchemaName("telemetry");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);
        return new EngineHarness(connectionString, schema);
    }

    public SourceContext Context(InstanceConfig config) =>
        new(config, Path.GetTempPath(), new UsagePricer(Table, Warnings.Add),
            new HttpOptions { Deadline = TimeSpan.FromSeconds(1), MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromSeconds(2) },
            Clock, Warnings.Add);

    public async Task<IReadOnlyList<SourceOutcome>> RunAsync(InstanceConfig config, IReadOnlyList<ICollectionSource> sources, CollectionRange? range = null)
    {
        await using var database = new TelemetryDatabase(ConnectionString, Schema);
        return await new CollectionEngine(database, config, Clock, Progress.Add, Warnings.Add, new UsagePricer(Table, Warnings.Add)).RunCycleAsync(sources, range, CancellationToken.None);
    }

    public async Task<IReadOnlyList<TokenUsageRow>> RowsAsync(string? source = null)
    {
        await using var connection = await OpenAsync();
        return await new UsageReader(Schema).ReadAsync(connection, source, CancellationToken.None);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = await OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<IReadOnlyList<WatchdogStatusRow>> WatchdogAsync()
    {
        await using var connection = await OpenAsync();
        return await new WatchdogStatusStore(Schema).ReadAllAsync(connection, CancellationToken.None);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
