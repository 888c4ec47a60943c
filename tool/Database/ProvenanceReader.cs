using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>Rows for `pricing explain`: by id, or by source, model, a time inside the window, user and project.</summary>
public sealed class ProvenanceReader(SchemaName schema)
{
    public sealed record Filter(long? Id = null, string? Source = null, string? Model = null, DateTimeOffset? At = null, string? User = null, string? Project = null, int Limit = 5);

    public async Task<IReadOnlyList<ExplainedRow>> ReadAsync(NpgsqlConnection connection, Filter filter, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT t.id, t.price_snapshot, t.price_key, t.price_rules, t.list_cost_usd,
                   l.kind = 'calls' OR t.raw_usage ? 'calls' OR t.raw_usage ? 'files', {UsageReader.Columns("t")}
            FROM {schema.Quoted}.token_usage t LEFT JOIN {schema.Quoted}.call_ledger l ON l.usage_id = t.id
            WHERE (@id::bigint IS NULL OR t.id = @id) AND (@source::text IS NULL OR t.source_system = @source)
              AND (@model::text IS NULL OR t.model_id = @model OR t.model = @model)
              AND (@at::timestamptz IS NULL OR (t.window_start <= @at AND t.window_end > @at))
              AND (@user::text IS NULL OR t.user_id = @user) AND (@project::text IS NULL OR t.project_id = @project)
            ORDER BY t.window_start, t.source_system, t.model_id, t.user_id NULLS FIRST, t.project_id NULLS FIRST
            LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("id", (object?)filter.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("source", (object?)filter.Source ?? DBNull.Value);
        command.Parameters.AddWithValue("model", (object?)filter.Model ?? DBNull.Value);
        command.Parameters.AddWithValue("at", (object?)filter.At?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("user", (object?)filter.User ?? DBNull.Value);
        command.Parameters.AddWithValue("project", (object?)filter.Project ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", filter.Limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ExplainedRow>();
        while (await reader.ReadAsync(ct))
        {
            var pricing = reader.IsDBNull(1) ? null : new Pricing.PriceProvenance(reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetDecimal(4));
            rows.Add(new ExplainedRow(reader.GetInt64(0), UsageReader.Map(reader, 6), pricing, !reader.IsDBNull(5) && reader.GetBoolean(5)));
        }
        return rows;
    }
}
