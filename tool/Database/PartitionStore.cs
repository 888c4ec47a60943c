using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// token_usage's month partitions (V0003), made by the schema's token_usage_partition(). Ahead of the data: `migrate`
/// and every `collect` cycle make this month's and the next <see cref="MonthsAhead"/> in a short transaction of their
/// own. On demand: the writer makes the month of a row that has none (an import of last year's logs) inside its data
/// transaction, rather than sending rows to a default partition that every later month would have to be carved out of.
/// Making one attaches a table of its own, which takes SHARE UPDATE EXCLUSIVE on token_usage: it neither waits for a
/// dashboard query nor holds one up. Makers queue on the 'partitions' row of collector_lock (the read-only role
/// cannot take it). Rows before the retention horizon are refused: their months were dropped and are in the rollups.
/// </summary>
public sealed class PartitionStore(SchemaName schema)
{
    public const int MonthsAhead = 2;

    private string S => schema.Quoted;

    /// <summary>This month's partition and the next <see cref="MonthsAhead"/>'s; returns how many were made. Skips (0)
    /// when a writer is making partitions right now: it holds the lock until its data commits, and the next cycle
    /// comes soon enough (a write never depends on these).</summary>
    public async Task<int> EnsureAheadAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken ct)
    {
        var first = MonthOf(now);
        var months = Enumerable.Range(0, MonthsAhead + 1).Select(i => first.AddMonths(i)).ToList();
        await using var tx = await connection.BeginTransactionAsync(ct);
        var missing = await MissingAsync(tx, months, ct);
        if (missing.Count == 0 || !await LockAsync(tx, wait: false, ct)) return 0;
        var created = await CreateAsync(tx, missing, ct);
        await tx.CommitAsync(ct);
        return created;
    }

    /// <summary>Makes sure every month of these window starts has its partition, in the caller's transaction; refuses,
    /// before anything is written, rows that start before the retention horizon.</summary>
    public async Task EnsureForAsync(NpgsqlTransaction tx, IEnumerable<DateTimeOffset> windowStarts, CancellationToken ct)
    {
        var months = windowStarts.Select(MonthOf).Distinct().Order().ToList();
        if (months.Count == 0) return;
        var horizon = await new RetentionStore(schema).HorizonAsync(tx.Connection!, tx, ct);
        if (horizon is { } h && months[0] < h)
            throw new TelemetryException(
                $"rows for {months[0]:yyyy-MM} fall before the retention horizon {h:yyyy-MM-dd}: that hourly detail was dropped (retention.hourly_days) and its totals are in the rollups; nothing was written",
                "writing those windows again would count them twice: leave them out");
        var missing = await MissingAsync(tx, months, ct);
        if (missing.Count == 0) return;
        await LockAsync(tx, wait: true, ct);
        await CreateAsync(tx, missing, ct);
    }

    /// <summary>The first instant of the UTC month holding <paramref name="at"/>.</summary>
    public static DateTimeOffset MonthOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The name token_usage_partition() gives a month's partition.</summary>
    public static string NameOf(DateTimeOffset month) => $"token_usage_p{month.ToUniversalTime():yyyyMM}";

    private async Task<List<DateTimeOffset>> MissingAsync(NpgsqlTransaction tx, IReadOnlyList<DateTimeOffset> months, CancellationToken ct)
    {
        var names = months.Select(NameOf).ToArray();
        var present = (await tx.Connection!.QueryAsync<string>(new CommandDefinition("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relname = ANY (@names) AND c.relispartition
            """, new { schema = schema.Name, names }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        return months.Where(m => !present.Contains(NameOf(m))).ToList();
    }

    private async Task<bool> LockAsync(NpgsqlTransaction tx, bool wait, CancellationToken ct)
    {
        var c = tx.Connection!;
        await c.ExecuteAsync(new CommandDefinition($"INSERT INTO {S}.collector_lock (name) VALUES ('partitions') ON CONFLICT DO NOTHING", transaction: tx, cancellationToken: ct));
        var got = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"SELECT name FROM {S}.collector_lock WHERE name = 'partitions' FOR UPDATE{(wait ? "" : " SKIP LOCKED")}", transaction: tx, cancellationToken: ct));
        return got is not null;
    }

    private async Task<int> CreateAsync(NpgsqlTransaction tx, IReadOnlyList<DateTimeOffset> months, CancellationToken ct)
    {
        var created = 0;
        foreach (var month in months)
            if (await tx.Connection!.ExecuteScalarAsync<bool>(new CommandDefinition(
                    $"SELECT {S}.token_usage_partition(@month)", new { month = month.UtcDateTime }, tx, cancellationToken: ct)))
                created++;
        return created;
    }
}
