using Npgsql;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Database;

/// <summary>An instance's database: where it is, its schema, and connections that fail with a usable message.</summary>
public sealed class TelemetryDatabase(string connectionString, SchemaName schema) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public SchemaName Schema { get; } = schema;
    public string Location { get; } = ConnectionStrings.Describe(connectionString);

    /// <summary>Connects to the instance's Postgres, starting its embedded cluster first when it has one.</summary>
    public static async Task<TelemetryDatabase> ConnectAsync(Instance instance, Action<string>? progress, CancellationToken ct)
    {
        var pg = instance.Config.Postgres;
        var schema = new SchemaName(pg.Schema);
        if (!pg.Embedded) return new TelemetryDatabase(ConnectionStrings.FromConfig(pg), schema);
        var embedded = new EmbeddedPostgres(instance.PgDataDirectory, instance.EmbeddedStatePath, pg.EmbeddedBinDir, port: pg.Port);
        var state = await embedded.StartAsync(progress, ct);
        await EmbeddedPostgres.EnsureDatabaseAsync(state, pg.Database, ct);
        return new TelemetryDatabase(ConnectionStrings.ForEmbedded(state, pg.Database), schema);
    }

    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken ct)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            var why = e is PostgresException pe ? pe.MessageText : e.Message;
            throw new DatabaseUnreachableException($"cannot connect to Postgres at {Location}: {why}",
                "check postgres.* in config.yaml and .env, and that the server is running", e);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
