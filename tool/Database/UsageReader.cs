using Npgsql;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>Reads token_usage rows back as canonical records, NULLs kept as NULL.</summary>
public sealed class UsageReader(SchemaName schema)
{
    /// <summary>The columns <see cref="Map"/> reads, in order; prefix with a table alias and a dot when joining.</summary>
    public static string Columns(string alias = "") => string.Join(", ", MappedColumns.Select(c => alias.Length == 0 ? c : $"{alias}.{c}"));

    private static readonly string[] MappedColumns =
    [
        "source_system", "provider", "model", "model_id", "project_id", "user_id", "window_start", "window_end",
        "granularity::text", "measurement_basis::text", "input_tokens", "cached_read_tokens", "cached_write_tokens",
        "cached_write_1h_tokens", "output_tokens", "reasoning_tokens", "request_count", "cost_usd", "cost_basis::text",
        "raw_usage::text", "cache_savings_usd",
    ];

    public async Task<IReadOnlyList<TokenUsageRow>> ReadAsync(NpgsqlConnection connection, string? sourceSystem, CancellationToken ct)
    {
        var sql = $"""
            SELECT {Columns()}
            FROM {schema.Quoted}.token_usage
            WHERE @source::text IS NULL OR source_system = @source
            ORDER BY source_system, window_start, model_id, user_id NULLS FIRST, project_id NULLS FIRST
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("source", (object?)sourceSystem ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<TokenUsageRow>();
        while (await reader.ReadAsync(ct)) rows.Add(Map(reader, 0));
        return rows;
    }

    /// <summary>One row from the <see cref="Columns"/> starting at <paramref name="at"/>.</summary>
    public static TokenUsageRow Map(NpgsqlDataReader reader, int at) => new()
    {
        SourceSystem = reader.GetString(at),
        Provider = reader.GetString(at + 1),
        Model = reader.GetString(at + 2),
        ModelId = reader.GetString(at + 3),
        ProjectId = reader.IsDBNull(at + 4) ? null : reader.GetString(at + 4),
        UserId = reader.IsDBNull(at + 5) ? null : reader.GetString(at + 5),
        WindowStart = reader.GetFieldValue<DateTimeOffset>(at + 6),
        WindowEnd = reader.GetFieldValue<DateTimeOffset>(at + 7),
        Granularity = DbLabels.ParseGranularity(reader.GetString(at + 8)),
        MeasurementBasis = DbLabels.ParseMeasurementBasis(reader.GetString(at + 9)),
        InputTokens = NullableLong(reader, at + 10),
        CachedReadTokens = NullableLong(reader, at + 11),
        CachedWriteTokens = NullableLong(reader, at + 12),
        CachedWrite1hTokens = NullableLong(reader, at + 13),
        OutputTokens = NullableLong(reader, at + 14),
        ReasoningTokens = NullableLong(reader, at + 15),
        RequestCount = NullableLong(reader, at + 16),
        CostUsd = reader.IsDBNull(at + 17) ? null : reader.GetDecimal(at + 17),
        CostBasis = reader.IsDBNull(at + 18) ? null : DbLabels.ParseCostBasis(reader.GetString(at + 18)),
        RawUsage = reader.IsDBNull(at + 19) ? null : reader.GetString(at + 19),
        CacheSavingsUsd = reader.IsDBNull(at + 20) ? null : reader.GetDecimal(at + 20),
    };

    private static long? NullableLong(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
