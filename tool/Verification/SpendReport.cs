using Dapper;
using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Verification;

/// <summary>
/// Spend and tokens over a period, grouped by source, provider, model, user, project or day. The cache ratio uses
/// only rows whose cache reads are reported (invariant 2); groups holding estimates (subscriptions) are marked.
/// </summary>
public sealed class SpendReport(SchemaName schema)
{
    public static readonly IReadOnlyDictionary<string, string> Groupings = new Dictionary<string, string>
    {
        ["source"] = "source_system",
        ["provider"] = "provider",
        ["model"] = "model_id",
        ["user"] = "coalesce(user_id, '(org)')",
        ["project"] = "coalesce(project_id, '(none)')",
        ["day"] = "to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };

    public async Task<IReadOnlyList<ReportRow>> RunAsync(NpgsqlConnection connection, string by, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await SchemaInspector.RequireVersionAsync(connection, schema, 3, ct);
        var key = Groupings[by];
        // usage_cells (V0003) sums rollups where whole months and days allow and token_usage elsewhere: the same numbers,
        // fast over a year, and still there for months whose hourly detail retention dropped. It takes [from, last]:
        // the last microsecond before `to` makes the report's [from, to).
        var sql = $"""
            SELECT {key} AS Key,
                   sum(input_tokens)::bigint AS InputTokens, sum(cached_read_tokens)::bigint AS CachedReadTokens,
                   sum(cached_write_tokens)::bigint AS CachedWriteTokens, sum(output_tokens)::bigint AS OutputTokens,
                   sum(reasoning_tokens)::bigint AS ReasoningTokens, sum(request_count)::bigint AS RequestCount,
                   sum(cost_usd) AS CostUsd,
                   round(sum(cached_read_tokens)::numeric / nullif(sum(cache_reported_input_tokens), 0), 4) AS CacheRatio,
                   bool_or(measurement_basis = 'derived_estimate') AS Estimated,
                   coalesce(sum(rows - cost_rows) FILTER (WHERE measurement_basis <> 'derived_estimate'), 0)::bigint AS UnpricedRows
            FROM {schema.Quoted}.usage_cells(@from, @last, @bucket, NULL, NULL, NULL, NULL, NULL)
            GROUP BY 1
            ORDER BY {(by == "day" ? "1" : "sum(cost_usd) DESC NULLS LAST, 1")}
            """;
        var args = new { from = from.UtcDateTime, last = to.UtcDateTime.AddTicks(-TimeSpan.TicksPerMicrosecond), bucket = by == "day" ? 86_400_000L : 0L };
        var rows = await connection.QueryAsync<ReportRow>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.ToList();
    }

    public static ReportRow Total(IReadOnlyList<ReportRow> rows)
    {
        long? Sum(Func<ReportRow, long?> f) => rows.Any(r => f(r) is not null) ? rows.Sum(r => f(r) ?? 0) : null;
        var cost = rows.Any(r => r.CostUsd is not null) ? rows.Sum(r => r.CostUsd ?? 0) : (decimal?)null;
        return new ReportRow("TOTAL", Sum(r => r.InputTokens), Sum(r => r.CachedReadTokens), Sum(r => r.CachedWriteTokens),
            Sum(r => r.OutputTokens), Sum(r => r.ReasoningTokens), Sum(r => r.RequestCount), cost, null,
            rows.Any(r => r.Estimated), rows.Sum(r => r.UnpricedRows));
    }
}
