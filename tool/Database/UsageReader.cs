using Npgsql;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Database;

/// <summary>Reads token_usage rows back as canonical records, NULLs kept as NULL.</summary>
public sealed class UsageReader(SchemaName schema)
{
    public async Task<IReadOnlyList<TokenUsageRow>> ReadAsync(NpgsqlConnection connection, string? sourceSystem, CancellationToken ct)
    {
        var sql = $"""
            SELECT source_system, provider, model, model_id, project_id, user_id, window_start, window_end,
                   granularity::text, measurement_basis::text, input_tokens, cached_read_tokens, cached_write_tokens,
                   cached_write_1h_tokens, output_tokens, reasoning_tokens, request_count, cost_usd, cost_basis::text,
                   raw_usage::text, cache_savings_usd
            FROM {schema.Quoted}.token_usage
            WHERE @source::text IS NULL OR source_system = @source
            ORDER BY source_system, window_start, model_id, user_id NULLS FIRST, project_id NULLS FIRST
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("source", (object?)sourceSystem ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<TokenUsageRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new TokenUsageRow
            {
                SourceSystem = reader.GetString(0),
                Provider = reader.GetString(1),
                Model = reader.GetString(2),
                ModelId = reader.GetString(3),
                ProjectId = reader.IsDBNull(4) ? null : reader.GetString(4),
                UserId = reader.IsDBNull(5) ? null : reader.GetString(5),
                WindowStart = reader.GetFieldValue<DateTimeOffset>(6),
                WindowEnd = reader.GetFieldValue<DateTimeOffset>(7),
                Granularity = DbLabels.ParseGranularity(reader.GetString(8)),
                MeasurementBasis = DbLabels.ParseMeasurementBasis(reader.GetString(9)),
                InputTokens = NullableLong(reader, 10),
                CachedReadTokens = NullableLong(reader, 11),
                CachedWriteTokens = NullableLong(reader, 12),
                CachedWrite1hTokens = NullableLong(reader, 13),
                OutputTokens = NullableLong(reader, 14),
                ReasoningTokens = NullableLong(reader, 15),
                RequestCount = NullableLong(reader, 16),
                CostUsd = reader.IsDBNull(17) ? null : reader.GetDecimal(17),
                CostBasis = reader.IsDBNull(18) ? null : DbLabels.ParseCostBasis(reader.GetString(18)),
                RawUsage = reader.IsDBNull(19) ? null : reader.GetString(19),
                CacheSavingsUsd = reader.IsDBNull(20) ? null : reader.GetDecimal(20),
            });
        }
        return rows;
    }

    private static long? NullableLong(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
