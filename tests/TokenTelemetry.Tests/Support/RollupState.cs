using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// A schema's rollups held to its facts with `verify`'s own three checks (RollupChecks, written from the rollups'
/// definition, not from the triggers), plus no cell left with zero rows; and single rollup cells read back.
/// </summary>
public static class RollupState
{
    public static readonly string[] Tables = ["usage_hourly_by_model", "usage_daily", "usage_daily_by_model", "usage_monthly", "usage_dims", "usage_daily_pricing"];

    public static async Task ShouldMatchFactsAsync(NpgsqlConnection c, SchemaName schema)
    {
        var horizon = (await new RetentionStore(schema).HorizonAsync(c, null, CancellationToken.None))?.UtcDateTime;
        var facts = (await c.QueryAsync(RollupChecks.FactsSql(schema.Quoted), new { horizon })).ToList();
        facts.ShouldBeEmpty($"usage_daily differs from token_usage: {string.Join("; ", facts.Take(5).Select(r => string.Join(", ", (IDictionary<string, object?>)r)))}");
        var levels = (await c.QueryAsync(RollupChecks.LevelsSql(schema.Quoted))).ToList();
        levels.ShouldBeEmpty($"the rollup levels disagree: {string.Join("; ", levels.Take(5).Select(r => string.Join(", ", (IDictionary<string, object?>)r)))}");
        var pricing = (await c.QueryAsync(RollupChecks.PricingSql(schema.Quoted), new { horizon })).ToList();
        pricing.ShouldBeEmpty($"usage_daily_pricing differs from token_usage: {string.Join("; ", pricing.Take(5).Select(r => string.Join(", ", (IDictionary<string, object?>)r)))}");
        (await c.ExecuteScalarAsync<long>($"SELECT count(*) FROM {schema.Quoted}.usage_daily_pricing WHERE list_rows = 0 AND unpriced_rows = 0")).ShouldBe(0, "usage_daily_pricing keeps empty cells");
        foreach (var table in Tables.Where(t => t is not ("usage_dims" or "usage_daily_pricing")))
            (await c.ExecuteScalarAsync<long>($"SELECT count(*) FROM {schema.Quoted}.{table} WHERE rows = 0")).ShouldBe(0, $"{table} keeps cells without rows");
        // The hourly rollup has no check of its own in verify (usage_daily_by_model is checked, the hours are not): here
        // it is held to the facts directly.
        (await c.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM (
                (SELECT date_trunc('hour', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', source_system, provider, model_id, measurement_basis, cost_basis,
                        count(*), sum(input_tokens)::bigint, count(cached_read_tokens), sum(cost_usd), sum(reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL)::bigint
                 FROM {schema.Quoted}.token_usage WHERE @horizon::timestamptz IS NULL OR window_start >= @horizon GROUP BY 1, 2, 3, 4, 5, 6
                 EXCEPT ALL
                 SELECT hour, source_system, provider, model_id, measurement_basis, cost_basis, rows, input_tokens, cached_read_rows, cost_usd, reasoning_reported_tokens
                 FROM {schema.Quoted}.usage_hourly_by_model WHERE @horizon::timestamptz IS NULL OR hour >= @horizon)
                UNION ALL
                (SELECT hour, source_system, provider, model_id, measurement_basis, cost_basis, rows, input_tokens, cached_read_rows, cost_usd, reasoning_reported_tokens
                 FROM {schema.Quoted}.usage_hourly_by_model WHERE @horizon::timestamptz IS NULL OR hour >= @horizon
                 EXCEPT ALL
                 SELECT date_trunc('hour', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', source_system, provider, model_id, measurement_basis, cost_basis,
                        count(*), sum(input_tokens)::bigint, count(cached_read_tokens), sum(cost_usd), sum(reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL)::bigint
                 FROM {schema.Quoted}.token_usage WHERE @horizon::timestamptz IS NULL OR window_start >= @horizon GROUP BY 1, 2, 3, 4, 5, 6)) AS d
            """, new { horizon })).ShouldBe(0, "usage_hourly_by_model differs from token_usage");
    }

    /// <summary>The usage_daily cells of a source, each as column → value.</summary>
    public static async Task<List<IDictionary<string, object?>>> DailyAsync(NpgsqlConnection c, string source) =>
        (await c.QueryAsync($"""
            SELECT day, model_id, user_id, project_id, provider, measurement_basis::text AS basis, cost_basis::text AS cost_basis, rows,
                   input_tokens, input_rows, cached_read_tokens, cached_read_rows, cached_write_1h_tokens, cached_write_1h_rows, output_tokens,
                   reasoning_tokens, reasoning_rows, cost_usd, cost_rows, cache_reported_rows, cache_reported_input_tokens, cache_reported_read_tokens
            FROM telemetry.usage_daily WHERE source_system = @source
            """, new { source })).Cast<IDictionary<string, object?>>().ToList();
}
