using Npgsql;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Database;

/// <summary>
/// What `collect` does to token_usage's storage before each cycle, outside any data transaction: the partitions of this
/// month and the next ones (so that the cycle's writes find them), then retention.hourly_days. Returns the retention
/// horizon the cycle's writes must keep to.
/// </summary>
public sealed class StorageUpkeep(SchemaName schema)
{
    public async Task<DateTimeOffset?> RunAsync(NpgsqlConnection connection, RetentionConfig retention, DateTimeOffset now,
        Action<string> progress, Action<string> warn, CancellationToken ct)
    {
        var created = await new PartitionStore(schema).EnsureAheadAsync(connection, now, ct);
        if (created > 0) progress($"token_usage: {created} month partition(s) made ahead");
        var store = new RetentionStore(schema);
        if (retention.HourlyDays is { } days)
        {
            var (dropped, deferred) = await store.ApplyAsync(connection, days, now, ct);
            foreach (var d in dropped)
                progress($"retention: dropped the hourly detail of {d.Month:yyyy-MM} ({d.Rows:N0} rows, older than {days} days); the rollups keep its totals");
            if (deferred is not null) warn($"retention: {deferred}");
        }
        return await store.HorizonAsync(connection, null, ct);
    }
}
