namespace TokenTelemetry.Verification;

/// <summary>
/// Invariant 17 for the V0003 rollups, written out again here from their definition (not read from the schema's
/// functions) so that a wrong trigger cannot vouch for itself. `rollups_match_facts`: every usage_daily cell from the
/// retention horizon on equals token_usage summed over its day and labels — each metric's sum and how many rows reported
/// it — and no cell or group is missing. Before the horizon the facts were dropped by design and the rollups keep their
/// totals. `rollup_levels_agree`: usage_monthly is usage_daily summed per month, usage_dims lists exactly its label
/// combinations, at every date.
/// </summary>
public static class RollupChecks
{
    public static string Hint(Database.SchemaName schema) =>
        "a rollup no longer sums the rows it stands for (a partition truncated or rows changed with triggers disabled): " +
        $"recompute them, as the schema's owner, with SELECT {schema.Quoted}.usage_rollups_rebuild()";

    private const string Measures = """
        count(*) AS rows,
        sum(input_tokens)::bigint, count(input_tokens), sum(cached_read_tokens)::bigint, count(cached_read_tokens),
        sum(cached_write_tokens)::bigint, count(cached_write_tokens), sum(cached_write_1h_tokens)::bigint, count(cached_write_1h_tokens),
        sum(output_tokens)::bigint, count(output_tokens), sum(reasoning_tokens)::bigint, count(reasoning_tokens),
        sum(request_count)::bigint, count(request_count), sum(cost_usd)::numeric, count(cost_usd), sum(cache_savings_usd)::numeric, count(cache_savings_usd),
        count(*) FILTER (WHERE cached_read_tokens IS NOT NULL AND input_tokens IS NOT NULL),
        sum(input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL)::bigint, sum(cached_read_tokens) FILTER (WHERE input_tokens IS NOT NULL)::bigint,
        count(*) FILTER (WHERE reasoning_tokens IS NOT NULL AND output_tokens IS NOT NULL),
        sum(output_tokens) FILTER (WHERE reasoning_tokens IS NOT NULL)::bigint, sum(reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL)::bigint
        """;

    private const string Sums = """
        sum(rows), sum(input_tokens), sum(input_rows), sum(cached_read_tokens), sum(cached_read_rows), sum(cached_write_tokens), sum(cached_write_rows),
        sum(cached_write_1h_tokens), sum(cached_write_1h_rows), sum(output_tokens), sum(output_rows), sum(reasoning_tokens), sum(reasoning_rows),
        sum(request_count), sum(request_rows), sum(cost_usd), sum(cost_rows), sum(cache_savings_usd), sum(cache_savings_rows),
        sum(cache_reported_rows), sum(cache_reported_input_tokens), sum(cache_reported_read_tokens),
        sum(reasoning_reported_rows), sum(reasoning_reported_output_tokens), sum(reasoning_reported_tokens)
        """;

    private const string Labels = "source_system, provider, model_id, user_id, project_id, measurement_basis, cost_basis";

    /// <summary>Cells that differ, as (problem, day, labels, rows); <c>@horizon</c> is the retention horizon or NULL.</summary>
    public static string FactsSql(string s) => $"""
        WITH facts AS (
            SELECT date_trunc('day', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, {Labels}, {Measures}
            FROM {s}.token_usage WHERE @horizon::timestamptz IS NULL OR window_start >= @horizon GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
        cells AS (SELECT * FROM {s}.usage_daily WHERE @horizon::timestamptz IS NULL OR day >= @horizon)
        SELECT problem, day, source_system, provider, model_id, user_id, project_id, measurement_basis::text, cost_basis::text, rows FROM (
            SELECT 'the rows of token_usage sum to other values' AS problem, * FROM (SELECT * FROM facts EXCEPT ALL SELECT * FROM cells) AS f
            UNION ALL
            SELECT 'usage_daily holds other values', * FROM (SELECT * FROM cells EXCEPT ALL SELECT * FROM facts) AS c) AS d
        ORDER BY day, source_system, model_id, problem
        """;

    /// <summary>usage_daily_pricing cells (V0005) that differ from token_usage from the retention horizon on, as
    /// (problem, day, source_system, model_id, list_rows, unpriced_rows).</summary>
    public static string PricingSql(string s) => $"""
        WITH facts AS (
            SELECT date_trunc('day', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, source_system, model_id,
                   count(list_cost_usd) AS list_rows, sum(list_cost_usd - cost_usd) AS discount_usd, count(*) - count(list_cost_usd) AS unpriced_rows
            FROM {s}.token_usage
            WHERE (@horizon::timestamptz IS NULL OR window_start >= @horizon)
              AND (list_cost_usd IS NOT NULL
                   OR (cost_usd IS NULL AND input_tokens IS NOT NULL AND output_tokens IS NOT NULL AND measurement_basis <> 'derived_estimate'))
            GROUP BY 1, 2, 3),
        cells AS (SELECT * FROM {s}.usage_daily_pricing WHERE @horizon::timestamptz IS NULL OR day >= @horizon)
        SELECT problem, day, source_system, model_id, list_rows, unpriced_rows FROM (
            SELECT 'the rows of token_usage sum to other values' AS problem, * FROM (SELECT * FROM facts EXCEPT ALL SELECT * FROM cells) AS f
            UNION ALL
            SELECT 'usage_daily_pricing holds other values', * FROM (SELECT * FROM cells EXCEPT ALL SELECT * FROM facts) AS c) AS d
        ORDER BY day, source_system, model_id, problem
        """;

    /// <summary>Monthly cells and dimension rows that are not the sums of the daily cells.</summary>
    public static string LevelsSql(string s) => $"""
        WITH by_month AS (
            SELECT date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month, {Labels}, {Sums}
            FROM {s}.usage_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
        dims AS (SELECT DISTINCT source_system, provider, model_id, user_id, project_id FROM {s}.usage_daily)
        SELECT * FROM (
            SELECT 'usage_monthly differs from usage_daily' AS problem, month, source_system, model_id, user_id, project_id FROM (
                (SELECT * FROM by_month EXCEPT ALL SELECT * FROM {s}.usage_monthly) UNION ALL (SELECT * FROM {s}.usage_monthly EXCEPT ALL SELECT * FROM by_month)) AS m
            UNION ALL
            SELECT 'usage_dims differs from usage_daily', NULL, source_system, model_id, user_id, project_id FROM (
                (SELECT * FROM dims EXCEPT ALL SELECT * FROM {s}.usage_dims) UNION ALL (SELECT * FROM {s}.usage_dims EXCEPT ALL SELECT * FROM dims)) AS k) AS d
        ORDER BY problem, month, source_system, model_id
        """;
}
