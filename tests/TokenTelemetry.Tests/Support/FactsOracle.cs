using Dapper;
using Npgsql;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// The specification of usage_cells() and usage_cells_by_model(), written as the plainest thing that meets it: every
/// token_usage row in [from, to] with the labels asked for, one row per fact, its metrics with their reported-row counts.
/// Installed into a test database next to the real functions, it lets a panel's SQL run twice — from the rollups, and
/// from the facts alone — for the numbers to be compared.
/// </summary>
public static class FactsOracle
{
    private const string Arguments = """
        p_from timestamptz, p_to timestamptz, p_bucket_ms bigint, p_sources text[], p_providers text[], p_models text[], p_users text[], p_projects text[]
        """;

    private const string Measures = """
        rows bigint, input_tokens bigint, input_rows bigint, cached_read_tokens bigint, cached_read_rows bigint, cached_write_tokens bigint,
        cached_write_rows bigint, cached_write_1h_tokens bigint, cached_write_1h_rows bigint, output_tokens bigint, output_rows bigint,
        reasoning_tokens bigint, reasoning_rows bigint, request_count bigint, request_rows bigint, cost_usd numeric, cost_rows bigint,
        cache_savings_usd numeric, cache_savings_rows bigint, cache_reported_rows bigint, cache_reported_input_tokens bigint,
        cache_reported_read_tokens bigint, reasoning_reported_rows bigint, reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint
        """;

    private const string Values = """
        1::bigint, t.input_tokens, (t.input_tokens IS NOT NULL)::int::bigint, t.cached_read_tokens, (t.cached_read_tokens IS NOT NULL)::int::bigint,
        t.cached_write_tokens, (t.cached_write_tokens IS NOT NULL)::int::bigint, t.cached_write_1h_tokens, (t.cached_write_1h_tokens IS NOT NULL)::int::bigint,
        t.output_tokens, (t.output_tokens IS NOT NULL)::int::bigint, t.reasoning_tokens, (t.reasoning_tokens IS NOT NULL)::int::bigint,
        t.request_count, (t.request_count IS NOT NULL)::int::bigint, t.cost_usd::numeric, (t.cost_usd IS NOT NULL)::int::bigint,
        t.cache_savings_usd::numeric, (t.cache_savings_usd IS NOT NULL)::int::bigint,
        (t.cached_read_tokens IS NOT NULL AND t.input_tokens IS NOT NULL)::int::bigint,
        CASE WHEN t.cached_read_tokens IS NOT NULL THEN t.input_tokens END, CASE WHEN t.input_tokens IS NOT NULL THEN t.cached_read_tokens END,
        (t.reasoning_tokens IS NOT NULL AND t.output_tokens IS NOT NULL)::int::bigint,
        CASE WHEN t.reasoning_tokens IS NOT NULL THEN t.output_tokens END, CASE WHEN t.output_tokens IS NOT NULL THEN t.reasoning_tokens END
        FROM telemetry.token_usage t
        WHERE t.window_start BETWEEN p_from AND p_to
          AND (p_sources IS NULL OR t.source_system = ANY (p_sources)) AND (p_providers IS NULL OR t.provider = ANY (p_providers))
          AND (p_models IS NULL OR t.model_id = ANY (p_models)) AND (p_users IS NULL OR coalesce(t.user_id, '(org)') = ANY (p_users))
          AND (p_projects IS NULL OR coalesce(t.project_id, '(none)') = ANY (p_projects))
        """;

    public static Task InstallAsync(NpgsqlConnection c) => c.ExecuteAsync($"""
        CREATE OR REPLACE FUNCTION telemetry.oracle_cells({Arguments}) RETURNS TABLE (window_start timestamptz, source_system text, provider text,
            model_id text, user_id text, project_id text, measurement_basis telemetry.measurement_basis, cost_basis telemetry.cost_basis, {Measures})
        LANGUAGE sql STABLE AS $$
            SELECT t.window_start, t.source_system, t.provider, t.model_id, t.user_id, t.project_id, t.measurement_basis, t.cost_basis, {Values}
        $$;
        CREATE OR REPLACE FUNCTION telemetry.oracle_cells_by_model({Arguments}) RETURNS TABLE (window_start timestamptz, source_system text, provider text,
            model_id text, measurement_basis telemetry.measurement_basis, cost_basis telemetry.cost_basis, {Measures})
        LANGUAGE sql STABLE AS $$
            SELECT t.window_start, t.source_system, t.provider, t.model_id, t.measurement_basis, t.cost_basis, {Values}
        $$;
        """);

    /// <summary>A panel's SQL reading the oracle instead of the rollups.</summary>
    public static string FromFacts(string sql) =>
        sql.Replace(".usage_cells_by_model(", ".oracle_cells_by_model(", StringComparison.Ordinal).Replace(".usage_cells(", ".oracle_cells(", StringComparison.Ordinal);
}
