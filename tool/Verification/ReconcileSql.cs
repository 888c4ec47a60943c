namespace TokenTelemetry.Verification;

/// <summary>
/// Computed against billed, per billing source (a source_system whose cost API fills billed_cost: openai, anthropic,
/// copilot) and UTC day or month — the one query `reconcile` runs with bound parameters and the spend dashboard's
/// "Does it match the bill?" panel runs with Grafana's macros. A source's usage rows are compared with its own bill:
/// the same calls seen through another route (a gateway, an import) are not added to it. Only days that have a bill are
/// compared; days without one are counted apart. Charges that are not tokens (Anthropic's cost_type web_search,
/// code_execution, …) are shown but left out of the comparison, because usage rows hold only token costs.
/// It reads the daily rollups (usage_daily_by_model — no user or project labels, the smallest daily one — and usage_daily_pricing for discounts and unpriced rows — a row a price
/// would have priced: both token totals known, no cost, not an estimate; Copilot's rows without tokens are not), so a
/// year costs what a month does and days retention dropped still compare. The unit is the whole UTC day: a day is in
/// the period when its start is (for bills and usage alike).
/// </summary>
public static class ReconcileSql
{
    /// <param name="schema">The schema, quoted.</param>
    /// <param name="period">day or month.</param>
    /// <param name="timeFilter">The predicate that keeps a time column in the period asked for.</param>
    /// <param name="sourceFilter">The predicate on source_system (a provider asked for, or a dashboard variable).</param>
    public static string Build(string schema, string period, Func<string, string> timeFilter, string sourceFilter)
    {
        var format = period == "month" ? "YYYY-MM" : "YYYY-MM-DD";
        var periodOf = $"to_char(date_trunc('{period}', {{0}} AT TIME ZONE 'UTC'), '{format}')";
        return $"""
            WITH billed AS (
                SELECT source_system, date_trunc('day', bucket_start AT TIME ZONE 'UTC') AS day, sum(amount_usd) AS billed,
                       coalesce(sum(amount_usd) FILTER (WHERE raw ->> 'cost_type' IS NOT NULL AND raw ->> 'cost_type' <> 'tokens'), 0) AS other
                FROM {schema}.billed_cost WHERE {timeFilter("bucket_start")} AND {sourceFilter} GROUP BY 1, 2),
            used AS (
                SELECT source_system, day AT TIME ZONE 'UTC' AS day, sum(cost_usd) AS cost,
                       sum(cost_usd) FILTER (WHERE cost_basis = 'provider_reported') AS reported,
                       sum(rows) FILTER (WHERE measurement_basis = 'derived_estimate') AS estimated_rows
                FROM {schema}.usage_daily_by_model
                WHERE {timeFilter("day")} AND {sourceFilter} AND source_system IN (SELECT DISTINCT source_system FROM {schema}.billed_cost)
                GROUP BY 1, 2),
            priced AS (
                SELECT source_system, day AT TIME ZONE 'UTC' AS day, sum(discount_usd) AS discounts, sum(unpriced_rows) AS unpriced_rows
                FROM {schema}.usage_daily_pricing
                WHERE {timeFilter("day")} AND {sourceFilter} AND source_system IN (SELECT DISTINCT source_system FROM {schema}.billed_cost)
                GROUP BY 1, 2),
            unpriced AS (
                SELECT source_system, {string.Format(System.Globalization.CultureInfo.InvariantCulture, periodOf, "day")} AS period, string_agg(DISTINCT model_id, ', ') AS models
                FROM {schema}.usage_daily_pricing
                WHERE {timeFilter("day")} AND {sourceFilter} AND unpriced_rows > 0
                  AND source_system IN (SELECT DISTINCT source_system FROM {schema}.billed_cost)
                GROUP BY 1, 2),
            days AS (
                SELECT coalesce(b.source_system, u.source_system) AS provider, coalesce(b.day, u.day) AS day,
                       b.billed, b.other, u.cost, u.reported, p.discounts, p.unpriced_rows, u.estimated_rows
                FROM billed b FULL JOIN used u ON u.source_system = b.source_system AND u.day = b.day
                LEFT JOIN priced p ON p.source_system = u.source_system AND p.day = u.day),
            periods AS (
                SELECT provider, to_char(date_trunc('{period}', day), '{format}') AS period,
                       coalesce(sum(cost) FILTER (WHERE billed IS NOT NULL), 0) AS computed_usd,
                       coalesce(sum(billed), 0) AS billed_usd, coalesce(sum(other), 0) AS other_billed_usd,
                       coalesce(sum(reported) FILTER (WHERE billed IS NOT NULL), 0) AS reported_usd,
                       coalesce(sum(discounts) FILTER (WHERE billed IS NOT NULL), 0) AS discount_usd,
                       coalesce(sum(unpriced_rows), 0) AS unpriced_rows, coalesce(sum(estimated_rows), 0) AS estimated_rows,
                       count(*) FILTER (WHERE billed IS NULL) AS days_without_bill,
                       coalesce(sum(cost) FILTER (WHERE billed IS NULL), 0) AS unbilled_usd,
                       count(*) FILTER (WHERE billed IS NOT NULL AND cost IS NULL) AS billed_days_without_usage
                FROM days GROUP BY 1, 2)
            SELECT p.provider, p.period, p.computed_usd, p.billed_usd, p.other_billed_usd,
                   p.computed_usd - (p.billed_usd - p.other_billed_usd) AS drift_usd,
                   round(100 * (p.computed_usd - (p.billed_usd - p.other_billed_usd)) / nullif(p.billed_usd - p.other_billed_usd, 0), 3) AS drift_pct,
                   p.reported_usd, p.discount_usd, p.unpriced_rows, n.models AS unpriced_models, p.estimated_rows,
                   p.days_without_bill, p.unbilled_usd, p.billed_days_without_usage
            FROM periods p LEFT JOIN unpriced n ON n.source_system = p.provider AND n.period = p.period
            ORDER BY 1, 2
            """;
    }

    /// <summary>The query with bound parameters: @from, @to (the UTC days and bill buckets starting in [from, to)) and @provider (NULL = all).</summary>
    public static string ForCommand(string schema, string period) =>
        Build(schema, period, column => $"{column} >= @from AND {column} < @to", "(@provider::text IS NULL OR source_system = @provider)");

    /// <summary>The query as a dashboard panel runs it, on one line: Grafana's time range and the source variable, per day.</summary>
    public static string ForGrafana(string schema) =>
        string.Join(" ", Build(schema, "day", column => $"$__timeFilter({column})", "source_system IN ($source)")
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
