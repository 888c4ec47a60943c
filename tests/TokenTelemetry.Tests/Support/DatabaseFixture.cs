using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Tests.Support;

/// <summary>A fresh database per test class (DESIGN §9), migrated to the current schema.</summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    public SchemaName Schema { get; } = new("telemetry");
    public string ConnectionString { get; private set; } = "";
    public ConflictMode Mode { get; private set; }
    public TestCluster Cluster { get; private set; } = null!;

    protected abstract Task<TestCluster> GetClusterAsync();

    public async Task InitializeAsync()
    {
        Cluster = await GetClusterAsync();
        ConnectionString = await Cluster.CreateDatabaseAsync();
        await using var connection = await OpenAsync();
        await new Migrator(Schema).MigrateAsync(connection, null, CancellationToken.None);
        Mode = await SchemaInspector.ConflictModeAsync(connection, Schema, CancellationToken.None);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
