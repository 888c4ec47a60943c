using Dapper;
using Npgsql;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>
/// rollup_watermark: per (source, user), the exclusive end of the last collected window. Reads snap an
/// off-grid mark FORWARD (invariant 10); advances never move a mark backward, so re-collecting an old range
/// with --from/--to cannot rewind it. Everything runs in the caller's transaction (invariant 12).
/// </summary>
public sealed class WatermarkStore(SchemaName schema, ConflictMode mode)
{
    public async Task<Watermark?> ReadAsync(NpgsqlTransaction transaction, string sourceSystem, string? userId, Granularity granularity, CancellationToken ct)
    {
        var sql = $"""
            SELECT last_processed_end FROM {schema.Quoted}.rollup_watermark
            WHERE source_system = @sourceSystem AND user_id IS NOT DISTINCT FROM @userId
            """;
        var stored = await transaction.Connection!.QuerySingleOrDefaultAsync<DateTime?>(
            new CommandDefinition(sql, new { sourceSystem, userId }, transaction, cancellationToken: ct));
        if (stored is null) return null;
        var value = new DateTimeOffset(DateTime.SpecifyKind(stored.Value, DateTimeKind.Utc));
        return new Watermark(WindowGrid.Ceiling(value, granularity), value);
    }

    public async Task AdvanceAsync(NpgsqlTransaction transaction, string sourceSystem, string? userId, DateTimeOffset end, Granularity granularity, CancellationToken ct)
    {
        if (!WindowGrid.IsAligned(end, granularity))
            throw new ArgumentException($"watermark {end:O} is not on the {granularity.Label()} grid", nameof(end));
        var s = schema.Quoted;
        var conflict = mode == ConflictMode.NullsNotDistinct ? "(source_system, user_id)"
            : userId is null ? "(source_system) WHERE user_id IS NULL" : "(source_system, user_id) WHERE user_id IS NOT NULL";
        var sql = $"""
            INSERT INTO {s}.rollup_watermark AS w (source_system, user_id, last_processed_end)
            VALUES (@sourceSystem, @userId, @end)
            ON CONFLICT {conflict} DO UPDATE
            SET last_processed_end = GREATEST(w.last_processed_end, EXCLUDED.last_processed_end), updated_at = now()
            """;
        await transaction.Connection!.ExecuteAsync(
            new CommandDefinition(sql, new { sourceSystem, userId, end = end.UtcDateTime }, transaction, cancellationToken: ct));
    }
}
