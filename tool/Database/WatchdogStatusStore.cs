using Dapper;
using Npgsql;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Database;

/// <summary>watchdog_status: one row per source plus __heartbeat__, replaced on every check. Messages are stored
/// through the instance's <see cref="SecretRedactor"/>: the reader role and every dashboard can read this table.</summary>
public sealed class WatchdogStatusStore(SchemaName schema, SecretRedactor? redactor = null)
{
    public async Task UpsertAsync(NpgsqlTransaction transaction, WatchdogStatusRow row, CancellationToken ct)
    {
        var sql = $"""
            INSERT INTO {schema.Quoted}.watchdog_status
                (source_system, status, threshold_seconds, stale_seconds, last_ingest_at, last_poll_at, last_check_at, message, checked_by)
            VALUES (@SourceSystem, @Status, @ThresholdSeconds, @StaleSeconds, @LastIngestAt, @LastPollAt, coalesce(@LastCheckAt, now()), @Message, @CheckedBy)
            ON CONFLICT (source_system) DO UPDATE SET
                status = EXCLUDED.status, threshold_seconds = EXCLUDED.threshold_seconds, stale_seconds = EXCLUDED.stale_seconds,
                last_ingest_at = EXCLUDED.last_ingest_at, last_poll_at = EXCLUDED.last_poll_at,
                last_check_at = EXCLUDED.last_check_at, message = EXCLUDED.message, checked_by = EXCLUDED.checked_by
            """;
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(sql, new
        {
            row.SourceSystem,
            row.Status,
            row.ThresholdSeconds,
            row.StaleSeconds,
            LastIngestAt = row.LastIngestAt?.UtcDateTime,
            LastPollAt = row.LastPollAt?.UtcDateTime,
            LastCheckAt = row.LastCheckAt?.UtcDateTime,
            Message = row.Message is null ? null : (redactor ?? SecretRedactor.None).Redact(row.Message),
            row.CheckedBy,
        }, transaction, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<WatchdogStatusRow>> ReadAllAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var sql = $"""
            SELECT source_system, status, threshold_seconds, stale_seconds, last_ingest_at, last_poll_at, last_check_at, message, checked_by
            FROM {schema.Quoted}.watchdog_status ORDER BY source_system
            """;
        var rows = await connection.QueryAsync(new CommandDefinition(sql, cancellationToken: ct));
        return rows.Select(r => new WatchdogStatusRow
        {
            SourceSystem = (string)r.source_system,
            Status = (string)r.status,
            ThresholdSeconds = (int)r.threshold_seconds,
            StaleSeconds = (long?)r.stale_seconds,
            LastIngestAt = Utc((DateTime?)r.last_ingest_at),
            LastPollAt = Utc((DateTime?)r.last_poll_at),
            LastCheckAt = Utc((DateTime?)r.last_check_at),
            Message = (string?)r.message,
            CheckedBy = (string)r.checked_by,
        }).ToList();
    }

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is null ? null : new DateTimeOffset(DateTime.SpecifyKind(value.Value, DateTimeKind.Utc));
}
