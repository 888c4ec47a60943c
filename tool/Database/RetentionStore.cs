using System.Globalization;
using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// retention.hourly_days (V0003): token_usage keeps its rows for so many days; older detail goes a whole month
/// partition at a time, while usage_daily and usage_monthly keep its totals (dropping a partition fires no trigger).
/// Each month goes in one transaction under the ingest lock: the horizon moves past it (writers refuse rows before
/// it from then on, so a dropped span is never counted twice), the call_ledger entries of its rows go, and the
/// partition is dropped. Dropping needs ACCESS EXCLUSIVE on token_usage; it waits at most <see cref="LockTimeout"/>
/// for a running dashboard query, then gives up until the next cycle rather than queueing every reader behind it.
/// </summary>
public sealed class RetentionStore(SchemaName schema)
{
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(3);

    public sealed record Dropped(DateTimeOffset Month, long Rows);

    private string S => schema.Quoted;

    /// <summary>token_usage holds no rows before this; null when nothing was ever dropped.</summary>
    public async Task<DateTimeOffset?> HorizonAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            $"SELECT detail_from FROM {S}.retention_horizon", transaction: tx, cancellationToken: ct));
        return at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
    }

    /// <summary>Drops, oldest first, each month whose windows all started more than <paramref name="hourlyDays"/> days
    /// before <paramref name="now"/>. Returns what went; <paramref name="deferred"/> says why it stopped early.</summary>
    public async Task<(IReadOnlyList<Dropped> Dropped, string? Deferred)> ApplyAsync(NpgsqlConnection connection, int hourlyDays, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - TimeSpan.FromDays(hourlyDays);
        var dropped = new List<Dropped>();
        foreach (var month in await MonthsAsync(connection, ct))
        {
            if (month.AddMonths(1) > cutoff) break;
            await using var tx = await connection.BeginTransactionAsync(ct);
            try
            {
                dropped.Add(await DropAsync(tx, month, ct));
                await tx.CommitAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await tx.RollbackAsync(CancellationToken.None);
                return (dropped, $"dropping {month:yyyy-MM} waited {LockTimeout.TotalSeconds:F0} s for a query or an import using token_usage; it is retried next cycle");
            }
        }
        return (dropped, null);
    }

    private async Task<Dropped> DropAsync(NpgsqlTransaction tx, DateTimeOffset month, CancellationToken ct)
    {
        var c = tx.Connection!;
        var end = month.AddMonths(1);
        await c.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = '{(int)LockTimeout.TotalMilliseconds}ms'", transaction: tx, cancellationToken: ct));
        // No ingest is between loading the ledger of this month and writing it.
        await c.ExecuteAsync(new CommandDefinition(
            $"SELECT name FROM {S}.collector_lock WHERE name = 'ingest' FOR UPDATE", transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {S}.retention_horizon (id, detail_from) VALUES (true, @end)
            ON CONFLICT (id) DO UPDATE SET detail_from = greatest({S}.retention_horizon.detail_from, EXCLUDED.detail_from), updated_at = now()
            """, new { end = end.UtcDateTime }, tx, cancellationToken: ct));
        await new CallLedgerStore(schema).DeleteEntriesOfRowsAsync(tx, month, end, ct);
        var partition = new SchemaName(PartitionStore.NameOf(month)).Quoted;
        var rows = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {S}.{partition}", transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"DROP TABLE {S}.{partition}", transaction: tx, cancellationToken: ct));
        return new Dropped(month, rows);
    }

    /// <summary>The months token_usage has partitions for, by their names (token_usage_pYYYYMM), oldest first.</summary>
    private async Task<List<DateTimeOffset>> MonthsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var names = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE n.nspname = @schema AND p.relname = 'token_usage'
            """, new { schema = schema.Name }, cancellationToken: ct));
        return names.Select(n => DateTimeOffset.TryParseExact(n.Replace("token_usage_p", "", StringComparison.Ordinal) + "01", "yyyyMMdd",
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var m) && n.StartsWith("token_usage_p", StringComparison.Ordinal) ? m : (DateTimeOffset?)null)
            .OfType<DateTimeOffset>().Order().ToList();
    }
}
