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
        var key = Groupings[by];
        var sql = $"""
            SELECT {key} AS Key,
                   sum(input_tokens)::bigint AS InputTokens, sum(cached_read_tokens)::bigint AS CachedReadTokens,
                   sum(cached_write_tokens)::bigint AS CachedWriteTokens, sum(output_tokens)::bigint AS OutputTokens,
                   sum(reasoning_tokens)::bigint AS ReasoningTokens, sum(request_count)::bigint AS RequestCount,
                   sum(cost_usd) AS CostUsd,
                   round(sum(cached_read_tokens)::numeric / nullif(sum(input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL), 0), 4) AS CacheRatio,
                   bool_or(measurement_basis = 'derived_estimate') AS Estimated,
                   count(*) FILTER (WHERE cost_usd IS NULL AND measurement_basis <> 'derived_estimate') AS UnpricedRows
            FROM {schema.Quoted}.token_usage
            WHERE window_start >= @from AND window_start < @to
            GROUP BY 1
            ORDER BY {(by == "day" ? "1" : "sum(cost_usd) DESC NULLS LAST, 1")}
            """;
        var rows = await connection.QueryAsync<ReportRow>(new CommandDefinition(sql, new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct));
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
