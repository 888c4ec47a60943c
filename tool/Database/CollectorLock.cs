using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// One collector per source at a time (invariant 12), as a row lock on collector_lock held by a transaction of its own
/// connection for as long as the source runs. A row lock needs UPDATE on the table, which the read-only Grafana role
/// lacks — unlike an advisory lock, whose key anyone can take — so a dashboard user cannot stall collection. The
/// holding connection names itself (application_name), so a collector that finds the lock taken can tell how long
/// it has been held and by which backend.
/// </summary>
public sealed class CollectorLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private CollectorLock(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>Who holds a lock this run could not take: the backend, since when and for how long by the server's
    /// clock (null when not visible to this role).</summary>
    public sealed record Holder(int? Pid, DateTimeOffset? Since, TimeSpan? HeldFor);

    public static async Task<(CollectorLock? Lock, Holder? HeldBy)> TryTakeAsync(TelemetryDatabase database, string source, CancellationToken ct)
    {
        var s = database.Schema.Quoted;
        var name = $"source:{source}";
        var application = ApplicationName(database.Schema, source);
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition($"INSERT INTO {s}.collector_lock (name) VALUES (@name) ON CONFLICT DO NOTHING", new { name }, cancellationToken: ct));
            var tx = await connection.BeginTransactionAsync(ct);
            var got = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                $"SELECT name FROM {s}.collector_lock WHERE name = @name FOR UPDATE SKIP LOCKED", new { name }, tx, cancellationToken: ct));
            if (got is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT set_config('application_name', @application, true)", new { application }, tx, cancellationToken: ct));
                return (new CollectorLock(connection, tx), null);
            }
            await tx.RollbackAsync(ct);
            var holder = await connection.QueryFirstOrDefaultAsync<(int Pid, DateTime? Since, double? Seconds)?>(new CommandDefinition("""
                SELECT pid, xact_start, extract(epoch FROM clock_timestamp() - xact_start)::float8 FROM pg_stat_activity
                WHERE application_name = @application AND pid <> pg_backend_pid() ORDER BY xact_start NULLS LAST LIMIT 1
                """, new { application }, cancellationToken: ct));
            await connection.DisposeAsync();
            return (null, holder is { } h
                ? new Holder(h.Pid, h.Since is { } since ? new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)) : null,
                    h.Seconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null)
                : new Holder(null, null, null));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>application_name is at most 63 bytes: a fixed prefix and a hash of (schema, source).</summary>
    internal static string ApplicationName(SchemaName schema, string source) =>
        "token-telemetry collect " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{schema.Name}\n{source}")))[..16];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection broke: the server ended the transaction, and the lock, with it.
        }
        await _connection.DisposeAsync();
    }
}
